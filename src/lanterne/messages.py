"""Every sentence Lanterne says to a person, in French first and in English.

One catalogue keyed by message id, so a translator sees all texts in one place and a test can
check that each id has both languages and the same placeholders.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Final, Literal

Lang = Literal["fr", "en"]

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # Web interface and HTTP API
    "web.writes_disabled": (
        "L'écriture est désactivée sur ce serveur : définissez LANTERNE_TOKEN au démarrage pour l'activer.",
        "Writing is switched off on this server: set LANTERNE_TOKEN when starting it to switch it on.",
    ),
    "web.token_missing": (
        "Jeton absent : envoyez l'en-tête « Authorization: Bearer JETON ».",
        "Token missing: send the header “Authorization: Bearer TOKEN”.",
    ),
    "web.token_invalid": (
        "Jeton refusé : vérifiez la valeur de LANTERNE_TOKEN donnée au serveur.",
        "Token refused: check the value of LANTERNE_TOKEN given to the server.",
    ),
    "web.csrf": (
        "Formulaire expiré ou envoyé depuis un autre site : rechargez la page et recommencez.",
        "Form expired or sent from another site: reload the page and try again.",
    ),
    "web.page_not_found": (
        "Page introuvable : {path}. Revenez à l'accueil ou lancez une recherche.",
        "Page not found: {path}. Go back to the home page or search.",
    ),
    "web.no_catalogue": (
        "Ce serveur n'a pas de catalogue : lancez « lanterne serve » avec --catalogue.",
        "This server has no catalogue: start « lanterne serve » with --catalogue.",
    ),
    "web.audit_not_found": (
        "Audit introuvable : {name}. La liste des audits est sur /api/audits.",
        "Audit not found: {name}. The list of audits is at /api/audits.",
    ),
    "web.bad_filter": (
        "Filtre illisible : « {value} ». Écrivez FACETTE:VALEUR, par exemple type:Festival ; facettes : {facets}.",
        "Unreadable filter: “{value}”. Write FACET:VALUE, e.g. type:Festival; facets: {facets}.",
    ),
    "web.bad_setting": (
        "Réglage refusé : {detail}.",
        "Setting refused: {detail}.",
    ),
    "audit.bad_report": (
        "{path} n'est pas un rapport d'audit lisible ({detail}). Refaites-le avec « lanterne audit --format json ».",
        "{path} is not a readable audit report ({detail}). Make it again with « lanterne audit --format json ».",
    ),
    "web.internal": (
        "Erreur interne du serveur. Réessayez ; si elle revient, signalez-la avec l'heure à l'équipe du site.",
        "Internal server error. Try again; if it comes back, report it with the time to the site's team.",
    ),
    "web.invalid_request": (
        "Requête invalide : {problems}.",
        "Invalid request: {problems}.",
    ),
    "web.http": (
        "Requête refusée ({status}) : {detail}.",
        "Request refused ({status}): {detail}.",
    ),
    "web.upload_too_large": (
        "Fichier trop gros ({size} octets ; au plus {limit}). Importez-le avec « lanterne ingest ».",
        "File too large ({size} bytes; at most {limit}). Import it with « lanterne ingest ».",
    ),
    # Web (area « web »): request bounds and uploads
    "web.body_too_large": (
        "Requête trop grosse (plus de {limit} octets). Envoyez moins de données ; un gros catalogue s'importe avec « lanterne ingest ».",
        "Request too large (over {limit} bytes). Send less data; a large catalogue is imported with « lanterne ingest ».",
    ),
    "web.bad_upload_name": (
        "Nom de fichier refusé : « {name} » ({reason}). Donnez un nom simple, sans dossier, d'au plus {limit} caractères, par exemple catalogue.csv.",
        "File name refused: “{name}” ({reason}). Give a plain name, without folders, of at most {limit} characters, e.g. catalogue.csv.",
    ),
    "web.upload_missing": (
        "Aucun fichier dans la requête : envoyez le catalogue dans le champ « file » (multipart/form-data), et ses fichiers compagnons dans « companion ».",
        "No file in the request: send the catalogue in the field “file” (multipart/form-data), and its companion files in “companion”.",
    ),
    "web.upload_unreadable": (
        "Formulaire d'import illisible ({detail}). Envoyez-le en multipart/form-data avec les champs « file » et « profile ».",
        "Unreadable import form ({detail}). Send it as multipart/form-data with the fields “file” and “profile”.",
    ),
    "web.upload_duplicate_name": (
        "Deux fichiers envoyés portent le même nom : « {name} ». Chaque fichier d'un import doit avoir son propre nom.",
        "Two files sent have the same name: “{name}”. Each file of an import needs its own name.",
    ),
    "web.bad_query": (
        "Recherche illisible : « {query} ». Écrivez des mots, sans opérateurs (AND, OR, NOT, guillemets, parenthèses).",
        "Unreadable search: “{query}”. Write words, without operators (AND, OR, NOT, quotes, brackets).",
    ),
    # Input files
    "input.not_found": (
        "Fichier ou dossier introuvable : {path}. Vérifiez le chemin (il est relatif au dossier courant).",
        "File or folder not found: {path}. Check the path (it is relative to the current folder).",
    ),
    "input.empty": (
        "Le fichier {path} est vide : il n'y a rien à importer. Exportez de nouveau le catalogue.",
        "The file {path} is empty: there is nothing to import. Export the catalogue again.",
    ),
    "input.unreadable": (
        "Impossible de lire {path} : {reason}. Vérifiez les droits d'accès au fichier.",
        "Cannot read {path}: {reason}. Check the file's permissions.",
    ),
    "input.encoding_mismatch": (
        "{path} n'est pas en {declared} (ligne {line} : {detail}) ; il semble être en {detected}. "
        "Relancez avec --encoding {detected} ou sans --encoding pour la détection automatique.",
        "{path} is not {declared} (line {line}: {detail}); it looks like {detected}. "
        "Run again with --encoding {detected}, or without --encoding to detect it.",
    ),
    "input.mojibake": (
        "{path} déclaré en {declared} contient « {sample} » ligne {line} : le fichier est en UTF-8. "
        "Relancez avec --encoding utf-8 ou sans --encoding.",
        "{path} declared as {declared} contains “{sample}” at line {line}: the file is UTF-8. "
        "Run again with --encoding utf-8, or without --encoding.",
    ),
    "input.undecodable": (
        "{path} : impossible de déterminer l'encodage du texte. Indiquez-le avec --encoding (ex. utf-8, cp1252).",
        "{path}: cannot tell the text encoding. Give it with --encoding (e.g. utf-8, cp1252).",
    ),
    "input.bad_header": (
        "{path} : la ligne d'en-tête est illisible ({detail}). Vérifiez la première ligne du "
        "fichier (un retour chariot seul dans un nom de colonne ?).",
        "{path}: the header line cannot be read ({detail}). Check the file's first line (a lone "
        "carriage return in a column name?).",
    ),
    "input.no_header": (
        "{path} : la première ligne n'a pas d'en-tête de colonnes lisible. Ajoutez une ligne d'en-tête.",
        "{path}: the first line has no readable column header. Add a header line.",
    ),
    "audit.missing_columns": (
        "{path} : colonnes absentes de l'en-tête : {columns}. Voir docs/audit.md (format des captures).",
        "{path}: columns missing from the header: {columns}. See docs/audit.md (capture format).",
    ),
    "audit.bad_personas": (
        "{path} : profils illisibles ({detail}). Attendu : une liste JSON de {{name, history, group, taste}}.",
        "{path}: unreadable personas ({detail}). Expected: a JSON list of {{name, history, group, taste}}.",
    ),
    # Audit captures and simulator (area "audit")
    "audit.not_loopback": (
        "{host} ({address}) n'est pas une adresse de boucle locale : le simulateur ne parcourt que "
        "des plateformes de cette machine. Lancez-la ici (ex. « lanterne serve ») et donnez "
        "--url http://127.0.0.1:PORT.",
        "{host} ({address}) is not a loopback address: the simulator only browses platforms on "
        "this machine. Run it here (e.g. « lanterne serve ») and give --url http://127.0.0.1:PORT.",
    ),
    "audit.unresolvable": (
        "Adresse du simulateur illisible ou introuvable : « {host} » ({detail}). Donnez "
        "--url http://127.0.0.1:PORT.",
        "The simulator's address cannot be read or found: “{host}” ({detail}). Give "
        "--url http://127.0.0.1:PORT.",
    ),
    "audit.platform_unreachable": (
        "La plateforme {url} ne répond pas ({detail}). Vérifiez qu'elle tourne (ex. « lanterne "
        "serve --port PORT ») et que --url donne son port.",
        "The platform {url} does not answer ({detail}). Check that it is running (e.g. "
        "« lanterne serve --port PORT ») and that --url gives its port.",
    ),
    "audit.cannot_write": (
        "Impossible d'écrire les captures dans {path} : {reason}. Vérifiez que le dossier existe "
        "et qu'il est permis d'y écrire.",
        "Cannot write the captures to {path}: {reason}. Check that the folder exists and can be "
        "written to.",
    ),
    "audit.platform_bad_answer": (
        "La plateforme {url} a répondu sans les listes attendues ({detail}). Le simulateur attend "
        "l'API de Lanterne, GET /api/recommend (docs/audit.md).",
        "The platform {url} answered without the expected lists ({detail}). The simulator expects "
        "Lanterne's API, GET /api/recommend (docs/audit.md).",
    ),
    "recommend.missing_columns": (
        "{path} : colonnes absentes de l'en-tête : {columns} (trouvées : {found}). Voir docs/recommend.md pour le format attendu.",
        "{path}: columns missing from the header: {columns} (found: {found}). See docs/recommend.md for the expected format.",
    ),
    "recommend.no_interactions": (
        "{path} : aucune interaction utilisable. Vérifiez les colonnes user et item et le seuil min_rating.",
        "{path}: no usable interaction. Check the user and item columns and the min_rating threshold.",
    ),
    "recommend.bad_config": (
        "{path} : configuration invalide : {detail}. Voir docs/recommend.md.",
        "{path}: invalid configuration: {detail}. See docs/recommend.md.",
    ),
    "registry.unknown": (
        "Composant inconnu ({kind}) : « {name} ». Noms possibles : {allowed}.",
        "Unknown component ({kind}): “{name}”. Allowed names: {allowed}.",
    ),
    "registry.bad_config": (
        "Configuration invalide pour {kind} « {name} » : {detail}.",
        "Invalid configuration for {kind} “{name}”: {detail}.",
    ),
    "recommend.unknown_user": (
        "Utilisateur inconnu : « {user} ». Donnez un identifiant présent dans les interactions, ou --history.",
        "Unknown user: “{user}”. Give an id found in the interactions, or use --history.",
    ),
    "recommend.unknown_items": (
        "Œuvres inconnues dans l'historique : {items}. Donnez des identifiants du jeu de données ou du catalogue.",
        "Unknown works in the history: {items}. Give ids from the dataset or the catalogue.",
    ),
    "recommend.bad_goal": (
        "Objectif invalide « {goal} » : attendu ATTRIBUT=VALEUR:PART (par exemple european=true:0.6).",
        "Invalid goal “{goal}”: expected ATTRIBUTE=VALUE:SHARE (for example european=true:0.6).",
    ),
    "input.missing_columns": (
        "{path} : colonnes absentes de l'en-tête : {columns}. Le profil « {profile} » les attend ; "
        "vérifiez que c'est le bon profil ou le bon fichier.",
        "{path}: columns missing from the header: {columns}. Profile “{profile}” expects them; "
        "check that this is the right profile or file.",
    ),
    "input.not_json": (
        "{path} n'est pas du JSON valide dès le début (ligne {line}, colonne {column} : {detail}). "
        "Vérifiez l'export, ou le format déclaré par le profil ([reader] format).",
        "{path} is not valid JSON from the start (line {line}, column {column}: {detail}). "
        "Check the export, or the format the profile declares ([reader] format).",
    ),
    "input.join_missing": (
        "Fichier de jointure introuvable : {path} (jointure « {join} » du profil « {profile} »). "
        "Placez-le à cet endroit ou corrigez le profil.",
        "Join file not found: {path} (join “{join}” of profile “{profile}”). "
        "Put it there or fix the profile.",
    ),
    # Profiles
    "profile.not_found": (
        "Profil de correspondance inconnu : « {name} ». Profils fournis : {known}. "
        "Ou donnez le chemin d'un fichier .toml.",
        "Unknown mapping profile: “{name}”. Bundled profiles: {known}. Or give the path of a .toml file.",
    ),
    "profile.file_not_found": (
        "Fichier de profil introuvable : {path}. Vérifiez le chemin, ou donnez le nom d'un profil fourni : {known}.",
        "Profile file not found: {path}. Check the path, or give a bundled profile's name: {known}.",
    ),
    "profile.invalid": (
        "Profil {path} invalide : {detail}. Corrigez le fichier (voir docs/profiles.md).",
        "Invalid profile {path}: {detail}. Fix the file (see docs/profiles.md).",
    ),
    # Store
    "store.locked": (
        "Le catalogue {path} est occupé par un autre processus. Attendez la fin de l'autre import puis relancez.",
        "The catalogue {path} is busy with another process. Wait for the other import to finish, then run again.",
    ),
    "diagnose.no_chromium": (
        "Chromium est introuvable : installez le paquet Debian « chromium » (apt-get install chromium) "
        "ou indiquez son chemin dans LANTERNE_CHROMIUM. Le rapport HTML, lui, ne demande rien.",
        "Chromium was not found: install Debian's « chromium » package (apt-get install chromium) "
        "or give its path in LANTERNE_CHROMIUM. The HTML report needs nothing.",
    ),
    "diagnose.chromium_failed": (
        "Chromium n'a pas pu produire le fichier ({detail}). Essayez le format html.",
        "Chromium could not produce the file ({detail}). Try the html format.",
    ),
    "diagnose.empty": (
        "Aucune œuvre à diagnostiquer{where}. Importez d'abord un catalogue : lanterne ingest …",
        "No works to diagnose{where}. Import a catalogue first: lanterne ingest …",
    ),
    "eval.bad_collection": (
        "La collection {path} est illisible ({detail}). Attendu : SQuAD v1 (JSON) ou, avec --queries "
        "et --qrels, un corpus JSON Lines.",
        "The collection {path} cannot be read ({detail}). Expected: SQuAD v1 (JSON) or, with "
        "--queries and --qrels, a JSON Lines corpus.",
    ),
    "diagnose.written": (
        "Rapport écrit : {path}",
        "Report written: {path}",
    ),
    "store.corrupt": (
        "Le catalogue {path} est endommagé ({detail}). Restaurez une sauvegarde ou réimportez dans un nouveau fichier.",
        "The catalogue {path} is damaged ({detail}). Restore a backup or import again into a new file.",
    ),
    "store.newer": (
        "Le catalogue {path} a été créé par une version plus récente de Lanterne (schéma {found} > {known}). "
        "Mettez Lanterne à jour.",
        "The catalogue {path} was made by a newer Lanterne (schema {found} > {known}). Update Lanterne.",
    ),
    "work.gone": (
        "L'œuvre « {id} » a été retirée du catalogue.",
        "The work “{id}” was removed from the catalogue.",
    ),
    "publish.not_acceptable": (
        "Aucun des formats acceptés par la requête n'est disponible. Formats proposés : {offered}.",
        "None of the formats the request accepts is available. Formats offered: {offered}.",
    ),
    "publish.unknown_format": (
        "Format de publication inconnu : « {name} ». Formats connus : {known}.",
        "Unknown publishing format: “{name}”. Known formats: {known}.",
    ),
    "work.not_found": (
        "Aucune œuvre d'identifiant « {id} ». Cherchez les identifiants avec « lanterne stats » ou la recherche.",
        "No work has the id “{id}”. Find ids with “lanterne stats” or the search.",
    ),
    "quarantine.not_found": (
        "Aucune entrée de quarantaine numéro {id}. Listez-les avec « lanterne quarantine list ».",
        "No quarantine entry number {id}. List them with “lanterne quarantine list”.",
    ),
    "internal": (
        "Erreur interne inattendue ({detail}). Le détail est dans {log} ; signalez-la avec ce fichier.",
        "Unexpected internal error ({detail}). Details are in {log}; please report it with that file.",
    ),
    "interrupted": (
        "Interrompu. Les lots déjà validés sont enregistrés ; relancez la même commande pour terminer.",
        "Interrupted. Batches already committed are stored; run the same command again to finish.",
    ),
    # Quarantine reasons
    "reason.bad_row": (
        "ligne mal formée : {detail}",
        "malformed line: {detail}",
    ),
    "reason.field_count": (
        "{found} champs au lieu de {expected} (séparateur attendu « {delimiter} »{hint})",
        "{found} fields instead of {expected} (expected delimiter “{delimiter}”{hint})",
    ),
    "reason.truncated": (
        "fin de fichier inattendue : le fichier semble tronqué ({detail})",
        "unexpected end of file: the file looks truncated ({detail})",
    ),
    "reason.bad_json": (
        "JSON invalide ligne {line}, colonne {column} : {detail}",
        "invalid JSON at line {line}, column {column}: {detail}",
    ),
    "reason.not_object": (
        "l'élément n'est pas un objet JSON mais {kind}",
        "the item is not a JSON object but {kind}",
    ),
    "reason.undecodable": (
        "octets illisibles en {encoding} : {detail}",
        "bytes not readable as {encoding}: {detail}",
    ),
    "reason.missing_id": (
        "identifiant absent (champ « {field} »)",
        "missing identifier (field “{field}”)",
    ),
    "reason.duplicate_id": (
        "identifiant « {id} » déjà lu ligne {first_line}{first_file} ; seule la première occurrence est gardée",
        "id “{id}” already read at line {first_line}{first_file}; only the first occurrence is kept",
    ),
    "reason.missing_required": (
        "champ obligatoire vide : {target} (source « {field} »)",
        "required field empty: {target} (source “{field}”)",
    ),
    "reason.bad_value": (
        "valeur invalide pour {target} (source « {field} ») : {detail}",
        "invalid value for {target} (source “{field}”): {detail}",
    ),
    "reason.too_long": (
        "champ « {field} » trop long : {length} caractères (maximum {limit})",
        "field “{field}” too long: {length} characters (maximum {limit})",
    ),
    "reason.invalid_record": (
        "notice invalide : {detail}",
        "invalid record: {detail}",
    ),
    # Ingest readers (area "readers")
    "reason.too_deep": (
        "imbrication trop profonde : plus de {limit} niveaux de tableaux et d'objets "
        "(réglage LANTERNE_MAX_JSON_DEPTH)",
        "nesting too deep: more than {limit} levels of arrays and objects "
        "(setting LANTERNE_MAX_JSON_DEPTH)",
    ),
    "reason.too_large": (
        "notice de plus de {limit} octets (réglage LANTERNE_MAX_RECORD_BYTES) : seuls ses "
        "{kept} premiers octets sont gardés",
        "record over {limit} bytes (setting LANTERNE_MAX_RECORD_BYTES): only its first "
        "{kept} bytes are kept",
    ),
    "warning.dangling_ref": (
        "{path} : la référence @id « {ref} » ({where}) ne désigne aucun nœud du graphe ; gardée comme lien externe",
        "{path}: @id reference “{ref}” ({where}) points to no node of the graph; kept as an external link",
    ),
    # JSON-LD bounds, URLs, settings (area: jsonld)
    "reason.graph_too_deep": (
        "nœud « {id} » : une fois ses liens @id résolus, il s'imbrique sur plus de {limit} niveaux ; "
        "si l'export est légitime, relevez {setting}",
        "node “{id}”: once its @id links are resolved, it nests more than {limit} levels deep; "
        "if the export is genuine, raise {setting}",
    ),
    "reason.graph_too_large": (
        "nœud « {id} » : une fois ses liens @id résolus, il compte plus de {limit} objets et listes "
        "(un nœud partagé compte à chaque lien) ; si l'export est légitime, relevez {setting}",
        "node “{id}”: once its @id links are resolved, it holds more than {limit} objects and lists "
        "(a shared node counts at each link); if the export is genuine, raise {setting}",
    ),
    "warning.unsafe_url": (
        "{path} : lien « {value} » écarté ({target}, source « {field} ») : {why}",
        "{path}: link “{value}” dropped ({target}, source “{field}”): {why}",
    ),
    "url.scheme": (
        "schéma « {detail} » refusé, seuls http et https font des liens",
        "scheme “{detail}” refused, only http and https make links",
    ),
    "url.hidden_character": (
        "caractère caché {detail} (espace, contrôle ou mise en forme) dans l'adresse",
        "hidden character {detail} (space, control or formatting) in the address",
    ),
    "url.no_host": (
        "adresse http(s) sans nom de domaine{detail}",
        "http(s) address without a host name{detail}",
    ),
    "url.not_absolute": (
        "ce n'est pas une adresse absolue http:// ou https://{detail}",
        "not an absolute http:// or https:// address{detail}",
    ),
    "setting.not_positive": (
        "{name} vaut « {value} » : attendu un nombre entier supérieur ou égal à {minimum}.",
        "{name} is “{value}”: expected a whole number of at least {minimum}.",
    ),
    "setting.set_by_serve": (
        "{name} manque : ce processus est lancé par « lanterne serve --workers N », qui le pose.",
        "{name} is missing: this process is started by “lanterne serve --workers N”, which sets it.",
    ),
    # Audit reports and gaps (auditreport) ----------------------------------------------------
    "gaps.ambiguous_source": (
        "Les identifiants de la plateforme « {platform} » se trouvent dans plusieurs sources du catalogue ({found}) : dites laquelle avec --source NOM.",
        "The ids of platform « {platform} » are found in several sources of the catalogue ({found}): say which with --source NAME.",
    ),
    "gaps.unknown_source": (
        "Le catalogue n'a pas de source « {source} » (sources : {known}).",
        "The catalogue has no source « {source} » (sources: {known}).",
    ),
    # Catalogue store (area: catalogue)
    "store.full": (
        "Le disque du catalogue {path} est plein ({free} libres dans {folder}) : le lot en cours n'a "
        "pas été écrit ; le catalogue garde les lots déjà validés et reste cohérent. Libérez de la "
        "place sur ce disque, ou choisissez un catalogue sur un autre disque (--catalogue, "
        "LANTERNE_CATALOGUE), puis relancez la même commande : elle reprend où elle s'est arrêtée.",
        "The disk of the catalogue {path} is full ({free} free in {folder}): the current batch was "
        "not written; the catalogue keeps the batches already committed and stays consistent. Free "
        "some space on that disk, or use a catalogue on another disk (--catalogue, "
        "LANTERNE_CATALOGUE), then run the same command again: it resumes where it stopped.",
    ),
}


REASON_LABELS: Final[dict[str, tuple[str, str]]] = {
    "reason.bad_row": ("ligne mal formée", "malformed line"),
    "reason.field_count": ("mauvais nombre de champs", "wrong number of fields"),
    "reason.truncated": ("fichier tronqué", "truncated file"),
    "reason.bad_json": ("JSON invalide", "invalid JSON"),
    "reason.not_object": ("élément qui n'est pas un objet", "item that is not an object"),
    "reason.undecodable": ("octets illisibles", "unreadable bytes"),
    "reason.missing_id": ("identifiant absent", "missing identifier"),
    "reason.duplicate_id": ("identifiant en double", "duplicate identifier"),
    "reason.missing_required": ("champ obligatoire vide", "required field empty"),
    "reason.bad_value": ("valeur invalide", "invalid value"),
    "reason.too_long": ("champ trop long", "field too long"),
    "reason.invalid_record": ("notice invalide", "invalid record"),
    # area: jsonld
    "reason.graph_too_deep": ("graphe JSON-LD trop profond", "JSON-LD graph too deep"),
    "reason.graph_too_large": ("graphe JSON-LD trop grand", "JSON-LD graph too large"),
    # Ingest readers (area "readers")
    "reason.too_deep": ("imbrication trop profonde", "nesting too deep"),
    "reason.too_large": ("notice trop grande", "record too large"),
}


def reason_label(reason: str, lang: Lang = "fr") -> str:
    """Short name of a quarantine reason, for counts."""
    fr, en = REASON_LABELS.get(reason, (reason, reason))
    return en if lang == "en" else fr


def say(key: str, lang: Lang = "fr", **params: object) -> str:
    """The sentence ``key`` in ``lang`` with its placeholders filled."""
    fr, en = MESSAGES[key]
    return (en if lang == "en" else fr).format(**params)


def say_partial(key: str, lang: Lang, params: Mapping[str, object]) -> str:
    """Like ``say``, with placeholders that ``params`` lacks left empty.

    Quarantine reasons are said again later from stored parameters, and some readers have no
    value for an optional detail (a delimiter hint, say).
    """
    fr, en = MESSAGES[key]
    template = en if lang == "en" else fr
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**(dict.fromkeys(names, "") | dict(params)))
