"""Every sentence Lanterne says to a person, in French first and in English.

One gettext catalogue for the command line, the pages and the reports: French is the source
language, every msgid is the French text, and the English is in
``report/locale/en/LC_MESSAGES/lanterne.po`` (``make messages`` extracts the texts of the code).
``translate(lang, msgid, **params)`` says a text, its named ``{placeholders}`` filled after
translation. The sentences of errors and quarantine reasons are named by a key (``say(key, …)``);
``MESSAGES`` maps each key to its French msgid. A test checks that every msgid has its English
with the same placeholders.
"""

from __future__ import annotations

import gettext
import io
import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Final, Literal

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("fr", "en")
DOMAIN = "lanterne"


@cache
def translations(lang: Lang) -> gettext.NullTranslations:
    """French as written in the code and templates; English from the committed catalogue, read
    from its ``.po`` when first asked for (no compiled ``.mo`` file to keep in step with it)."""
    if lang == "fr":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    # The catalogue sits with the reports' code; read as a file, so this bottom-row module does
    # not import the ``report`` package.
    po = resources.files("lanterne").joinpath(f"report/locale/{lang}/LC_MESSAGES/{DOMAIN}.po")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def N_(text: str) -> str:
    """Marks a French text for extraction, translated later where it is said."""
    return text


def translate(lang: str, msgid: str, /, msgctxt: str | None = None, **params: object) -> str:
    """The French text ``msgid`` in ``lang`` (French unless ``"en"``), its ``{placeholders}``
    filled from ``params`` after translation. ``msgctxt`` tells apart one French text said two
    ways in English (« En bref »: “At a glance” in the diagnosis, “Summary” in the audit)."""
    catalogue = translations("en" if lang == "en" else "fr")
    text = catalogue.gettext(msgid) if msgctxt is None else catalogue.pgettext(msgctxt, msgid)
    return text.format(**params)


# Key → French msgid; the English is in the catalogue.
MESSAGES: Final[dict[str, str]] = {
    # Web interface and HTTP API
    "web.writes_disabled": N_(
        "L'écriture est désactivée sur ce serveur : définissez LANTERNE_TOKEN au démarrage pour l'activer."
    ),
    "web.token_missing": N_("Jeton absent : envoyez l'en-tête « Authorization: Bearer JETON »."),
    "web.token_invalid": N_(
        "Jeton refusé : vérifiez la valeur de LANTERNE_TOKEN donnée au serveur."
    ),
    "web.csrf": N_(
        "Formulaire expiré ou envoyé depuis un autre site : rechargez la page et recommencez."
    ),
    "web.page_not_found": N_(
        "Page introuvable : {path}. Revenez à l'accueil ou lancez une recherche."
    ),
    "web.no_catalogue": N_(
        "Ce serveur n'a pas de catalogue : lancez « lanterne serve » avec --catalogue."
    ),
    "web.audit_not_found": N_(
        "Audit introuvable : {name}. La liste des audits est sur /api/audits."
    ),
    "web.bad_filter": N_(
        "Filtre illisible : « {value} ». Écrivez FACETTE:VALEUR, par exemple type:Festival ; facettes : {facets}."
    ),
    "web.bad_setting": N_("Réglage refusé : {detail}."),
    "audit.bad_report": N_(
        "{path} n'est pas un rapport d'audit lisible ({detail}). Refaites-le avec « lanterne audit --format json »."
    ),
    "web.internal": N_(
        "Erreur interne du serveur. Réessayez ; si elle revient, signalez-la avec l'heure à l'équipe du site."
    ),
    "web.invalid_request": N_("Requête invalide : {problems}."),
    "web.http": N_("Requête refusée ({status}) : {detail}."),
    "web.upload_too_large": N_(
        "Fichier trop gros ({size} octets ; au plus {limit}). Importez-le avec « lanterne ingest »."
    ),
    # Web (area « web »): request bounds and uploads
    "web.body_too_large": N_(
        "Requête trop grosse (plus de {limit} octets). Envoyez moins de données ; un gros catalogue s'importe avec « lanterne ingest »."
    ),
    "web.bad_upload_name": N_(
        "Nom de fichier refusé : « {name} » ({reason}). Donnez un nom simple, sans dossier, d'au plus {limit} caractères, par exemple catalogue.csv."
    ),
    "web.upload_missing": N_(
        "Aucun fichier dans la requête : envoyez le catalogue dans le champ « file » (multipart/form-data), et ses fichiers compagnons dans « companion »."
    ),
    "web.upload_unreadable": N_(
        "Formulaire d'import illisible ({detail}). Envoyez-le en multipart/form-data avec les champs « file » et « profile »."
    ),
    "web.upload_duplicate_name": N_(
        "Deux fichiers envoyés portent le même nom : « {name} ». Chaque fichier d'un import doit avoir son propre nom."
    ),
    "web.bad_query": N_(
        "Recherche illisible : « {query} ». Écrivez des mots, sans opérateurs (AND, OR, NOT, guillemets, parenthèses)."
    ),
    # Reconciliation (W3C Reconciliation Service API, ``lanterne reconcile``)
    "reconcile.bad_query": N_(
        "Requête de réconciliation illisible : {detail}. Voyez la forme des requêtes 0.2 et 1.0-draft dans docs/reconcile.md."
    ),
    "reconcile.batch_too_large": N_(
        "Lot de {size} requêtes de réconciliation : au plus {limit} par lot (réglage LANTERNE_RECONCILE_BATCH_MAX). Envoyez des lots plus petits."
    ),
    "reconcile.no_column": N_(
        "{path} n'a pas de colonne « {column} » (colonnes : {columns}). Choisissez-en une avec --column."
    ),
    "reconcile.bad_property": N_(
        "--property « {value} » : attendu PROPRIÉTÉ=COLONNE, PROPRIÉTÉ parmi {known}."
    ),
    "reconcile.unknown_entity": N_("Entité inconnue : {id}."),
    # Input files
    "input.not_found": N_(
        "Fichier ou dossier introuvable : {path}. Vérifiez le chemin (il est relatif au dossier courant)."
    ),
    "input.empty": N_(
        "Le fichier {path} est vide : il n'y a rien à importer. Exportez de nouveau le catalogue."
    ),
    "input.unreadable": N_(
        "Impossible de lire {path} : {reason}. Vérifiez les droits d'accès au fichier."
    ),
    "input.encoding_mismatch": N_(
        "{path} n'est pas en {declared} (ligne {line} : {detail}) ; il semble être en {detected}. "
        "Relancez avec --encoding {detected} ou sans --encoding pour la détection automatique."
    ),
    "input.mojibake": N_(
        "{path} déclaré en {declared} contient « {sample} » ligne {line} : le fichier est en UTF-8. "
        "Relancez avec --encoding utf-8 ou sans --encoding."
    ),
    "input.undecodable": N_(
        "{path} : impossible de déterminer l'encodage du texte. Indiquez-le avec --encoding (ex. utf-8, cp1252)."
    ),
    "input.bad_header": N_(
        "{path} : la ligne d'en-tête est illisible ({detail}). Vérifiez la première ligne du "
        "fichier (un retour chariot seul dans un nom de colonne ?)."
    ),
    "input.no_header": N_(
        "{path} : la première ligne n'a pas d'en-tête de colonnes lisible. Ajoutez une ligne d'en-tête."
    ),
    "audit.missing_columns": N_(
        "{path} : colonnes absentes de l'en-tête : {columns}. Voir docs/audit.md (format des captures)."
    ),
    "audit.unreadable_parquet": N_(
        "{path} : fichier Parquet illisible ({detail}). Exportez de nouveau le fichier, ou donnez-le en CSV ou en JSON Lines."
    ),
    "audit.parquet_too_dense": N_(
        "{path} : {rows} lignes pour la taille du fichier, plus de {most} par octet : un fichier qui se décompresse en bien plus qu'il ne pèse n'est pas lu. Exportez-le sans cette compression, ou en plusieurs fichiers."
    ),
    "audit.unknown_parquet_columns": N_(
        "{path} : colonnes qui ne sont pas des champs de capture : {columns}. Renommez-les « attr:NOM » pour en faire des attributs, ou retirez-les (docs/audit.md)."
    ),
    "audit.bad_personas": N_(
        "{path} : profils illisibles ({detail}). Attendu : une liste JSON de {{name, history, group, taste}}."
    ),
    # Audit captures and simulator (area "audit")
    "audit.not_loopback": N_(
        "{host} ({address}) n'est pas une adresse de boucle locale : le simulateur ne parcourt que "
        "des plateformes de cette machine. Lancez-la ici (ex. « lanterne serve ») et donnez "
        "--url http://127.0.0.1:PORT."
    ),
    "audit.unresolvable": N_(
        "Adresse du simulateur illisible ou introuvable : « {host} » ({detail}). Donnez "
        "--url http://127.0.0.1:PORT."
    ),
    "audit.platform_unreachable": N_(
        "La plateforme {url} ne répond pas ({detail}). Vérifiez qu'elle tourne (ex. « lanterne "
        "serve --port PORT ») et que --url donne son port."
    ),
    "audit.cannot_write": N_(
        "Impossible d'écrire les captures dans {path} : {reason}. Vérifiez que le dossier existe "
        "et qu'il est permis d'y écrire."
    ),
    "audit.platform_bad_answer": N_(
        "La plateforme {url} a répondu sans les listes attendues ({detail}). Le simulateur attend "
        "l'API de Lanterne, GET /api/recommend (docs/audit.md)."
    ),
    "recommend.missing_columns": N_(
        "{path} : colonnes absentes de l'en-tête : {columns} (trouvées : {found}). Voir docs/recommend.md pour le format attendu."
    ),
    "recommend.no_interactions": N_(
        "{path} : aucune interaction utilisable. Vérifiez les colonnes user et item et le seuil min_rating."
    ),
    "recommend.bad_config": N_(
        "{path} : configuration invalide : {detail}. Voir docs/recommend.md."
    ),
    "registry.unknown": N_("Composant inconnu ({kind}) : « {name} ». Noms possibles : {allowed}."),
    "registry.bad_config": N_("Configuration invalide pour {kind} « {name} » : {detail}."),
    "recommend.unknown_user": N_(
        "Utilisateur inconnu : « {user} ». Donnez un identifiant présent dans les interactions, ou --history."
    ),
    "recommend.unknown_items": N_(
        "Œuvres inconnues dans l'historique : {items}. Donnez des identifiants du jeu de données ou du catalogue."
    ),
    "recommend.bad_only": N_(
        "Filtre « {goal} » illisible : attendu ATTRIBUT=VALEUR, plusieurs reliées par &, sans "
        "part (ex. creation=human, language=fr&country=CA)."
    ),
    "recommend.bad_goal": N_(
        "Objectif invalide « {goal} » : attendu ATTRIBUT=VALEUR:PART (par exemple european=true:0.6)."
    ),
    "input.missing_columns": N_(
        "{path} : colonnes absentes de l'en-tête : {columns}. Le profil « {profile} » les attend ; "
        "vérifiez que c'est le bon profil ou le bon fichier."
    ),
    "input.not_json": N_(
        "{path} n'est pas du JSON valide dès le début (ligne {line}, colonne {column} : {detail}). "
        "Vérifiez l'export, ou le format déclaré par le profil ([reader] format)."
    ),
    "harvest.profile_mismatch": N_(
        "Le profil « {profile} » lit le format {format}, pas les notices {prefix} : donnez un "
        "profil de ce format (préfixe et format : {expected})."
    ),
    "harvest.bad_identify": N_(
        "{url} ne répond pas à Identify en OAI-PMH ({detail}). Vérifiez l'adresse de base de "
        "l'entrepôt (elle se termine souvent par /oai)."
    ),
    "harvest.unreachable": N_(
        "{url} injoignable après {tries} essais ({detail}) ; ce qui est moissonné est gardé : "
        "relancez la même commande plus tard, elle reprend après la dernière page validée."
    ),
    "harvest.bounded": N_(
        "Moisson de {url} arrêtée : limite {bound} atteinte ; relancez la même commande, elle "
        "reprend après la dernière page validée."
    ),
    "harvest.too_large": N_(
        "{url} a envoyé une réponse de plus de {limit} octets (réglage LANTERNE_MAX_RECORD_BYTES) : "
        "moisson arrêtée après la dernière page validée."
    ),
    "harvest.oai_error": N_(
        "{url} répond par l'erreur OAI-PMH {code} : {detail}. Vérifiez le préfixe "
        "(--metadata-prefix) et l'ensemble (--set) ; ce qui est moissonné est gardé."
    ),
    "harvest.bad_response": N_(
        "{url} : la page {page} n'est pas du XML OAI-PMH ({detail}) et ne dit pas où continuer ; "
        "elle est en quarantaine, et la moisson s'arrête après la dernière page validée."
    ),
    "input.harvest_only": N_(
        "Le profil « {profile} » lit des notices {format} moissonnées : il sert à « lanterne "
        "harvest URL --profile {profile} », pas à « lanterne ingest »."
    ),
    "input.join_missing": N_(
        "Fichier de jointure introuvable : {path} (jointure « {join} » du profil « {profile} »). "
        "Placez-le à cet endroit ou corrigez le profil."
    ),
    # Profiles
    "profile.not_found": N_(
        "Profil de correspondance inconnu : « {name} ». Profils fournis : {known}. "
        "Ou donnez le chemin d'un fichier .toml."
    ),
    "profile.file_not_found": N_(
        "Fichier de profil introuvable : {path}. Vérifiez le chemin, ou donnez le nom d'un profil fourni : {known}."
    ),
    "profile.invalid": N_(
        "Profil {path} invalide : {detail}. Corrigez le fichier (voir docs/profiles.md)."
    ),
    # Store
    "store.locked": N_(
        "Le catalogue {path} est occupé par un autre processus. Attendez la fin de l'autre import puis relancez."
    ),
    "diagnose.no_chromium": N_(
        "Chromium est introuvable : installez le paquet Debian « chromium » (apt-get install chromium) "
        "ou indiquez son chemin dans LANTERNE_CHROMIUM. Le rapport HTML, lui, ne demande rien."
    ),
    "diagnose.chromium_failed": N_(
        "Chromium n'a pas pu produire le fichier ({detail}). Essayez le format html."
    ),
    "diagnose.empty": N_(
        "Aucune œuvre à diagnostiquer{where}. Importez d'abord un catalogue : lanterne ingest …"
    ),
    "eval.bad_collection": N_(
        "La collection {path} est illisible ({detail}). Attendu : SQuAD v1 (JSON) ou, avec --queries "
        "et --qrels, un corpus JSON Lines."
    ),
    "eval.no_collection": N_(
        "Le dossier {path} ne contient aucune collection d'évaluation. Attendu : un fichier SQuAD v1 "
        "(JSON) ou corpus.jsonl avec queries.tsv et qrels.tsv ; ou donnez le fichier lui-même."
    ),
    "eval.no_default": N_(
        "Aucune collection d'évaluation dans {path} (ni {names}). Donnez une collection (fichier "
        "SQuAD v1 ou dossier), ou le dossier des données partagées avec --shared."
    ),
    "eval.bad_config": N_(
        "La configuration de recherche {path} est invalide ({detail}). Attendu : un objet JSON "
        "aux champs de SearchConfig, tel que l'écrit lanterne eval search --json sous « config »."
    ),
    "eval.no_bm25": N_(
        "La référence BM25 demande la bibliothèque bm25s, absente : installez les dépendances de "
        "développement (pip install -e '.[dev]') ou lancez sans --baseline."
    ),
    "diagnose.written": N_("Rapport écrit : {path}"),
    "store.corrupt": N_(
        "Le catalogue {path} est endommagé ({detail}). Restaurez une sauvegarde ou réimportez dans un nouveau fichier."
    ),
    "store.newer": N_(
        "Le catalogue {path} a été créé par une version plus récente de Lanterne (schéma {found} > {known}). "
        "Mettez Lanterne à jour."
    ),
    "work.gone": N_(
        "L'œuvre « {id} » a été retirée du catalogue.",
    ),
    "move.no_file": N_(
        "Le catalogue {path} n'existe pas : donnez le fichier SQLite à déplacer "
        "(lanterne migrate --to URL --catalogue FICHIER)."
    ),
    "move.not_server": N_(
        "--to attend l'URL d'une base PostgreSQL (postgresql://UTILISATEUR@HÔTE:PORT/BASE), "
        "pas « {to} »."
    ),
    "move.from_server": N_(
        "Le catalogue {path} est déjà sur un serveur PostgreSQL : lanterne migrate --to déplace "
        "un fichier SQLite. Donnez le fichier avec --catalogue FICHIER."
    ),
    "move.foreign_tables": N_(
        "La base {target} contient déjà {count} tables ({tables}) sans le schéma de Lanterne : "
        "rien n'a été écrit. Déplacez le catalogue dans une base vide (createdb) ou dans une "
        "base créée par lanterne migrate."
    ),
    "move.not_empty": N_(
        "La base {target} n'est pas vide (table {table} : {rows} lignes) : rien n'a été écrit, "
        "pour ne rien mêler ni écraser. Déplacez le catalogue dans une base neuve (createdb), "
        "ou videz celle-ci si elle ne sert à rien d'autre."
    ),
    "move.failed": N_(
        "Le déplacement vers {target} a échoué en copiant la table {table} ({detail}) : la "
        "transaction est annulée, la base est restée comme avant et le fichier n'a pas changé. "
        "Corrigez la cause, puis relancez la même commande."
    ),
    "batch.bad_master": N_(
        "Maître Spark « {master} » inconnu : local, local[N] (N cœurs de cette machine), local[*] "
        "ou spark://HÔTE:PORT."
    ),
    "batch.als_no_log": N_(
        "{path} : aucun journal d'interactions dans ce dossier (interactions.csv, ratings.csv "
        "de MovieLens ou fichiers Parquet). Donnez le fichier, le dossier ou une configuration "
        "d'évaluation (JSON)."
    ),
    "batch.als_bad_parameter": N_(
        "Paramètre de l'ALS invalide : {detail}. Voir lanterne batch als --help."
    ),
    "batch.als_failed": N_(
        "L'ALS de Spark a échoué ({what}) : {detail}. Vérifiez le journal d'interactions et le "
        "maître Spark, puis relancez."
    ),
    "batch.als_bad_npz": N_(
        "{path} n'est pas un fichier de facteurs de lanterne batch als (als.npz) : relancez "
        "lanterne batch als -o DOSSIER."
    ),
    "batch.als_evaluate_csv": N_(
        "--evaluate lit le journal sur cette machine avec le lecteur de lanterne eval "
        "recommend (même découpage) : donnez un CSV ou une configuration, pas du Parquet "
        "({path})."
    ),
    "batch.no_pyspark": N_(
        "pyspark n'est pas installé : pip install 'lanterne[spark]' (ou make spark), puis "
        "relancez. Les autres commandes n'en ont pas besoin."
    ),
    "batch.no_java": N_(
        "Java est introuvable : Spark a besoin de Java 17 ou plus récent (apt-get install "
        "openjdk-17-jre-headless), ou indiquez-le dans JAVA_HOME."
    ),
    "batch.old_java": N_(
        "Spark a besoin de Java 17 ou plus récent ; trouvé : {found}. Installez-en un "
        "(apt-get install openjdk-17-jre-headless) ou indiquez-le dans JAVA_HOME."
    ),
    "batch.no_jdbc": N_(
        "Pilote JDBC de PostgreSQL introuvable ({path}) : apt-get install "
        "libpostgresql-jdbc-java, ou --jdbc-jar FICHIER.jar ; ou lisez un export Parquet "
        "(lanterne export parquet)."
    ),
    "batch.jdbc_socket": N_(
        "JDBC ne passe pas par une socket Unix ({host}) : donnez l'hôte et le port TCP du "
        "serveur dans l'URL (postgresql://UTILISATEUR@HÔTE:PORT/BASE)."
    ),
    "batch.spark_failed": N_("Spark n'a pas démarré ({master}) : {detail}"),
    "batch.no_lanterne_on_executors": N_(
        "Les exécuteurs Spark ne peuvent pas charger Lanterne ({detail}) : installez sur chaque "
        "nœud la même version de Lanterne que sur le pilote."
    ),
    "batch.other_lanterne_on_executors": N_(
        "Les exécuteurs Spark ont Lanterne {found}, le pilote {here} : installez la même version "
        "partout (leurs résultats en dépendent)."
    ),
    "batch.job_failed": N_(
        "Le traitement Spark a échoué malgré les nouvelles tentatives de Spark : {detail}. Ce "
        "qu'il a écrit n'est pas complet ; corrigez la cause, puis relancez."
    ),
    "search.no_embeddings": N_(
        "{path} est introuvable : donnez le dossier embeddings/ qu'a écrit lanterne batch embed."
    ),
    "search.bad_embeddings": N_(
        "{path} n'est pas un dossier de vecteurs de lanterne batch embed ({detail}) : "
        "relancez lanterne batch embed."
    ),
    "search.other_model_embeddings": N_(
        "{path} tient des vecteurs d'un autre modèle ({found}) ; l'index utilise {model} : "
        "relancez lanterne batch embed avec cette version de Lanterne."
    ),
    "batch.audit_not_parquet": N_(
        "{path} n'est pas un fichier Parquet : lanterne batch audit lit les captures en "
        "Parquet ; auditez les JSON Lines et CSV avec lanterne audit, ou convertissez-les."
    ),
    "batch.no_input": N_(
        "{path} est introuvable : donnez un export Parquet (lanterne export parquet -o "
        "FICHIER) ou un catalogue postgresql://."
    ),
    "batch.not_an_export": N_(
        "{path} n'est pas un export de Lanterne : il y manque les colonnes {missing} (lanterne "
        "export parquet en écrit un)."
    ),
    "publish.not_acceptable": N_(
        "Aucun des formats acceptés par la requête n'est disponible. Formats proposés : {offered}.",
    ),
    "publish.profile_not_acceptable": N_(
        "Aucun des profils demandés (Accept-Profile) n'est disponible pour cette œuvre. Profils "
        "proposés : {offered}. Une œuvre qu'EDM ne peut porter n'a pas de profil EDM : "
        "« lanterne publish check » dit pourquoi.",
    ),
    "publish.unknown_format": N_(
        "Format de publication inconnu : « {name} ». Formats connus : {known}.",
    ),
    "provenance.unreadable_image": N_(
        "{path} : image illisible ({detail}). Donnez un fichier JPEG, PNG, WebP, GIF ou TIFF."
    ),
    "provenance.bad_label": N_(
        "Étiquette de création inconnue : « {label} ». Étiquettes possibles : {known}."
    ),
    "provenance.bad_tdmrep": N_(
        "{path} : fichier TDMRep illisible ({detail}). Attendu : un tableau JSON de règles "
        "{{location, tdm-reservation, tdm-policy}} (W3C TDMRep)."
    ),
    "work.not_found": N_(
        "Aucune œuvre d'identifiant « {id} ». Cherchez les identifiants avec « lanterne stats » ou la recherche."
    ),
    "entity.not_found": N_(
        "Aucune œuvre du catalogue ne nomme d'agent ni de lieu d'identifiant « {id} » : "
        "l'adresse est incomplète, ou ces œuvres en ont été retirées."
    ),
    "quarantine.not_found": N_(
        "Aucune entrée de quarantaine numéro {id}. Listez-les avec « lanterne quarantine list »."
    ),
    "internal": N_(
        "Erreur interne inattendue ({detail}). Le détail est dans {log} ; signalez-la avec ce fichier."
    ),
    "interrupted": N_(
        "Interrompu. Les lots déjà validés sont enregistrés ; relancez la même commande pour terminer."
    ),
    # Publishing (area "publish"): why a work is left out of a format, and the standards' files
    "publish.rights_missing": N_(
        "aucune licence : Europeana exige edm:rights ; donnez rights.licence (Creative Commons ou "
        "rightsstatements.org), ou une déclaration pour toutes les œuvres (LANTERNE_EDM_RIGHTS)",
    ),
    "publish.rights_not_europeana": N_(
        "la licence {licence} n'est pas une des déclarations de droits d'Europeana (Creative "
        "Commons, rightsstatements.org)"
    ),
    "publish.rights_licence_ouverte": N_(
        "la Licence Ouverte ({licence}) n'est pas une déclaration de droits d'Europeana : "
        "déclarez CC BY 4.0, avec laquelle elle est compatible, si l'ayant droit l'accepte",
    ),
    "publish.no_edm_type": N_(
        "Europeana ne reçoit pas ce type d'œuvre ({type}) : il n'a pas d'edm:type",
    ),
    "publish.no_link": N_(
        "ni page (url) ni média qui montre l'œuvre : Europeana exige edm:isShownAt ou edm:isShownBy"
    ),
    "publish.no_language": N_(
        "texte sans langue : Europeana exige dc:language quand edm:type vaut TEXT ; donnez "
        "in_languages"
    ),
    "publish.no_title": N_(
        "ni titre ni description lisibles : Europeana exige dc:title ou dc:description"
    ),
    "publish.no_subject": N_(
        "ni sujet, ni genre, ni lieu : Europeana exige dc:subject, dc:type, dcterms:spatial ou "
        "dcterms:temporal"
    ),
    "publish.ai_media": N_(
        "œuvre étiquetée « {label} » : Europeana refuse le schema:digitalSourceType des médias "
        "faits par IA, et taire l'étiquette la cacherait",
    ),
    "publish.no_standards": N_(
        "Les fichiers des standards sont introuvables ({missing} dans {path}) : indiquez leur "
        "dossier avec --standards ou LANTERNE_STANDARDS (../shared/standards dans le dépôt de "
        "développement).",
    ),
    "iiif.no_manifest": N_(
        "L'œuvre « {id} » n'a pas de manifeste IIIF : aucune de ses images n'indique sa taille "
        "(largeur et hauteur), qu'un canevas IIIF exige."
    ),
    "iiif.gone": N_(
        "L'œuvre « {id} » a été retirée du catalogue ; son manifeste IIIF aussi.",
    ),
    "publish.bad_record": N_("{what} n'est pas une notice {format} lisible ({detail})."),
    # OAI-PMH errors (the text of <error>, French then English in one answer)
    "oai.bad_verb": N_(
        "verbe absent, répété ou inconnu : les verbes sont Identify, ListMetadataFormats, "
        "ListSets, ListIdentifiers, ListRecords et GetRecord"
    ),
    "oai.repeated": N_(
        "argument répété : {name}",
    ),
    "oai.unknown_argument": N_("argument que {verb} ne prend pas : {name}"),
    "oai.missing_argument": N_("argument obligatoire de {verb} absent : {name}"),
    "oai.exclusive": N_("resumptionToken s'emploie seul (avec verb) : retirez {names}"),
    "oai.bad_value": N_(
        "valeur illisible pour {name} : caractères que XML ne peut porter, ou vide",
    ),
    "oai.bad_date": N_(
        "date {name} illisible : écrivez AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ssZ (UTC)",
    ),
    "oai.mixed_granularity": N_(
        "from et until doivent avoir la même granularité (deux jours, ou deux instants)",
    ),
    "oai.from_after_until": N_(
        "from est après until : aucune date ne peut convenir",
    ),
    "oai.bad_prefix": N_(
        "metadataPrefix mal formé : les formats sont {formats}",
    ),
    "oai.bad_set": N_(
        "set mal formé : un setSpec comme source:NOM, type:Event ou territory:FR-BRE",
    ),
    "oai.bad_token": N_(
        "resumptionToken illisible, modifié ou d'une autre requête : reprenez la liste depuis "
        "le début (sans resumptionToken)",
    ),
    "oai.unknown_format": N_("format {prefix} inconnu ici : les formats sont {formats}"),
    "oai.not_in_format": N_(
        "cette œuvre ne peut pas être écrite en {prefix} : {reasons}",
    ),
    "oai.unknown_id": N_(
        "identifiant inconnu dans cet entrepôt (de la forme oai:{repository}:ŒUVRE)",
    ),
    "oai.no_records": N_(
        "aucune notice ne correspond à ces dates, cet ensemble et ce format",
    ),
    "oai.no_sets": N_(
        "cet entrepôt n'a pas d'ensembles : son catalogue est vide",
    ),
    # Quarantine reasons
    "reason.bad_row": N_("ligne mal formée : {detail}"),
    "reason.field_count": N_(
        "{found} champs au lieu de {expected} (séparateur attendu « {delimiter} »{hint})"
    ),
    "reason.truncated": N_("fin de fichier inattendue : le fichier semble tronqué ({detail})"),
    "reason.bad_json": N_("JSON invalide ligne {line}, colonne {column} : {detail}"),
    "reason.not_object": N_("l'élément n'est pas un objet JSON mais {kind}"),
    "reason.undecodable": N_("octets illisibles en {encoding} : {detail}"),
    "reason.missing_id": N_("identifiant absent (champ « {field} »)"),
    "reason.duplicate_id": N_(
        "identifiant « {id} » déjà lu ligne {first_line}{first_file} ; seule la première occurrence est gardée"
    ),
    "reason.missing_required": N_("champ obligatoire vide : {target} (source « {field} »)"),
    "reason.bad_value": N_("valeur invalide pour {target} (source « {field} ») : {detail}"),
    "reason.too_long": N_("champ « {field} » trop long : {length} caractères (maximum {limit})"),
    "reason.invalid_record": N_("notice invalide : {detail}"),
    # Ingest readers (area "readers")
    "reason.too_deep": N_(
        "imbrication trop profonde : plus de {limit} niveaux de tableaux et d'objets "
        "(réglage LANTERNE_MAX_JSON_DEPTH)"
    ),
    "reason.too_large": N_(
        "notice de plus de {limit} octets (réglage LANTERNE_MAX_RECORD_BYTES) : seuls ses "
        "{kept} premiers octets sont gardés"
    ),
    # MARC readers and the OAI-PMH harvester (area "harvest")
    "reason.bad_marc": N_("notice MARC n° {number} illisible (octet {offset}) : {detail}"),
    "reason.bad_marc_text": N_(
        "notice MARC n° {number} (octet {offset}) : texte illisible en UTF-8 ({detail}) ; "
        "donnez l'encodage de l'export dans le profil ([reader] encoding)"
    ),
    "reason.bad_marcxml": N_("notice MARCXML ligne {number} illisible : {detail}"),
    "reason.bad_oai_record": N_("notice OAI-PMH « {id} » illisible : {detail}"),
    "warning.dangling_ref": N_(
        "{path} : la référence @id « {ref} » ({where}) ne désigne aucun nœud du graphe ; gardée comme lien externe"
    ),
    # JSON-LD bounds, URLs, settings (area: jsonld)
    "reason.graph_too_deep": N_(
        "nœud « {id} » : une fois ses liens @id résolus, il s'imbrique sur plus de {limit} niveaux ; "
        "si l'export est légitime, relevez {setting}"
    ),
    "reason.graph_too_large": N_(
        "nœud « {id} » : une fois ses liens @id résolus, il compte plus de {limit} objets et listes "
        "(un nœud partagé compte à chaque lien) ; si l'export est légitime, relevez {setting}"
    ),
    "warning.unsafe_url": N_(
        "{path} : lien « {value} » écarté ({target}, source « {field} ») : {why}"
    ),
    "url.scheme": N_("schéma « {detail} » refusé, seuls http et https font des liens"),
    "url.hidden_character": N_(
        "caractère caché {detail} (espace, contrôle ou mise en forme) dans l'adresse"
    ),
    "url.no_host": N_("adresse http(s) sans nom de domaine{detail}"),
    "url.not_absolute": N_("ce n'est pas une adresse absolue http:// ou https://{detail}"),
    "setting.not_positive": N_(
        "{name} vaut « {value} » : attendu un nombre entier supérieur ou égal à {minimum}."
    ),
    "setting.not_a_switch": N_("{name} vaut « {value} » : attendu 0 (non) ou 1 (oui)."),
    "setting.set_by_serve": N_(
        "{name} manque : ce processus est lancé par « lanterne serve --workers N », qui le pose."
    ),
    "footprint.unknown_grid": N_(
        "{name} vaut « {value} » : réseau électrique inconnu ; réseaux connus : {known}."
    ),
    # Audit reports and gaps (auditreport) ----------------------------------------------------
    "gaps.ambiguous_source": N_(
        "Les identifiants de la plateforme « {platform} » se trouvent dans plusieurs sources du catalogue ({found}) : dites laquelle avec --source NOM."
    ),
    "gaps.unknown_source": N_("Le catalogue n'a pas de source « {source} » (sources : {known})."),
    # Catalogue store (area: catalogue)
    "store.full": N_(
        "Le disque du catalogue {path} est plein ({free} libres dans {folder}) : le lot en cours n'a "
        "pas été écrit ; le catalogue garde les lots déjà validés et reste cohérent. Libérez de la "
        "place sur ce disque, ou choisissez un catalogue sur un autre disque (--catalogue, "
        "LANTERNE_CATALOGUE), puis relancez la même commande : elle reprend où elle s'est arrêtée."
    ),
    # Provenance
    "web.image_missing": N_(
        "Aucune image dans la requête : envoyez-la dans le champ « file » (multipart/form-data)."
    ),
    "provenance.bad_trust": N_(
        "Réglages de confiance C2PA illisibles ({path}) : {detail}. Donnez un fichier JSON de réglages c2pa ou un fichier PEM de certificats racines."
    ),
    "provenance.bad_key": N_(
        "Clé privée illisible : donnez une clé PEM non chiffrée (RSA, EC P-256/384/521 ou Ed25519), ou précisez --alg."
    ),
    "provenance.bad_source_type": N_(
        "Type de source « {value} » refusé : une signature Lanterne déclare une création humaine ({allowed})."
    ),
    "provenance.bad_tdm": N_(
        "Choix de fouille « {value} » inconnu. Valeurs possibles : {allowed}."
    ),
    "provenance.sign_failed": N_(
        "Signature de {path} impossible : {detail}. Vérifiez que la chaîne de certificats (signataire en premier) va avec la clé."
    ),
    "provenance.unsupported_sign": N_(
        "Format d'image non pris en charge pour la signature : donnez un JPEG, PNG, GIF, TIFF ou WebP."
    ),
    "store.unreachable": N_(
        "Le serveur PostgreSQL du catalogue {path} ne répond pas ({detail}) : aucun lot n'est "
        "écrit à moitié, le catalogue garde les lots déjà validés. Vérifiez que le serveur tourne et que l'URL (hôte, port, "
        "base, utilisateur) est juste, puis relancez la même commande : elle reprend où elle "
        "s'est arrêtée."
    ),
    "store.no_psycopg": N_(
        "Un catalogue PostgreSQL demande la bibliothèque psycopg, absente ({detail}) : "
        "installez-la (pip install 'psycopg[binary]'), ou donnez un fichier SQLite."
    ),
    "store.older": N_(
        "Le catalogue {path} a un schéma plus ancien que cette version de Lanterne (schéma "
        "{found} < {known}). Mettez-le à jour : lanterne migrate --catalogue {path}"
    ),
}


REASON_LABELS: Final[dict[str, str]] = {
    "reason.bad_row": N_("ligne mal formée"),
    "reason.field_count": N_("mauvais nombre de champs"),
    "reason.truncated": N_("fichier tronqué"),
    "reason.bad_json": N_("JSON invalide"),
    "reason.not_object": N_("élément qui n'est pas un objet"),
    "reason.undecodable": N_("octets illisibles"),
    "reason.missing_id": N_("identifiant absent"),
    "reason.duplicate_id": N_("identifiant en double"),
    "reason.missing_required": N_("champ obligatoire vide"),
    "reason.bad_value": N_("valeur invalide"),
    "reason.too_long": N_("champ trop long"),
    "reason.invalid_record": N_("notice invalide"),
    # area: jsonld
    "reason.graph_too_deep": N_("graphe JSON-LD trop profond"),
    "reason.graph_too_large": N_("graphe JSON-LD trop grand"),
    # MARC readers and the OAI-PMH harvester (area "harvest")
    "reason.bad_marc": N_("notice MARC illisible"),
    "reason.bad_marc_text": N_("texte MARC illisible"),
    "reason.bad_marcxml": N_("notice MARCXML illisible"),
    "reason.bad_oai_record": N_("notice OAI-PMH illisible"),
    # Ingest readers (area "readers")
    "reason.too_deep": N_("imbrication trop profonde"),
    "reason.too_large": N_("notice trop grande"),
}


def reason_label(reason: str, lang: Lang = "fr") -> str:
    """Short name of a quarantine reason, for counts."""
    label = REASON_LABELS.get(reason)
    return reason if label is None else translate(lang, label)


def say(key: str, lang: Lang = "fr", **params: object) -> str:
    """The sentence ``key`` in ``lang`` with its placeholders filled."""
    return translations("en" if lang == "en" else "fr").gettext(MESSAGES[key]).format(**params)


def say_partial(key: str, lang: Lang, params: Mapping[str, object]) -> str:
    """Like ``say``, with placeholders that ``params`` lacks left empty.

    Quarantine reasons are said again later from stored parameters, and some readers have no
    value for an optional detail (a delimiter hint, say).
    """
    template = translations("en" if lang == "en" else "fr").gettext(MESSAGES[key])
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**(dict.fromkeys(names, "") | dict(params)))
