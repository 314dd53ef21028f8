"""Public-service recommendation: candidate models, diversity and exposure goals, explanations,
and an evaluation protocol that any dataset can follow (docs/recommend.md)."""

from typing import TYPE_CHECKING

from lanterne._exports import lazy_exports
from lanterne.recommend._data import (
    Attributes,
    Dataset,
    from_pairs,
    load_dataset,
    split_per_user,
)
from lanterne.recommend._eval import (
    EvalConfig,
    EvalReport,
    EvalStep,
    load_config,
    run_evaluation,
)
from lanterne.recommend._goals import Goal, Surface, parse_goal, parse_only
from lanterne.recommend._metrics import ndcg, precision, recall
from lanterne.recommend._models import (
    ALS,
    EASE,
    MODELS,
    ALSConfig,
    Blend,
    Content,
    EASEConfig,
    ItemKNN,
    ItemKNNConfig,
    Model,
    ModelInputs,
    Popularity,
    make_model,
)
from lanterne.recommend._pipeline import (
    Explanation,
    Recommendation,
    Recommender,
    Reranker,
    curiosity_weight,
    diversifiers,
)
from lanterne.recommend._platform import LanterneLocal
from lanterne.recommend._rerank import (
    MMR,
    Calibrated,
    ConstrainedRanker,
    GoalResult,
    ItemSpace,
    LongTail,
    Order,
    PrefixQuota,
)
from lanterne.rejected import Rejected

if TYPE_CHECKING:
    from lanterne.recommend._export import convert_movielens, work_attributes
    from lanterne.recommend._service import (
        Options,
        RecommenderService,
        catalogue_service,
        dataset_service,
    )
else:
    # The service and the exports read the catalogue (SQLite): they load when first used, not
    # with the models (an evaluation, or the audit's simulator, needs no catalogue).
    __getattr__ = lazy_exports(
        __name__,
        {
            "._export": ("convert_movielens", "work_attributes"),
            "._service": ("Options", "RecommenderService", "catalogue_service", "dataset_service"),
        },
    )

__all__ = [
    "ALS",
    "EASE",
    "MMR",
    "MODELS",
    "ALSConfig",
    "Attributes",
    "Blend",
    "Calibrated",
    "ConstrainedRanker",
    "Content",
    "Dataset",
    "EASEConfig",
    "EvalConfig",
    "EvalReport",
    "EvalStep",
    "Explanation",
    "Goal",
    "GoalResult",
    "ItemKNN",
    "ItemKNNConfig",
    "ItemSpace",
    "LanterneLocal",
    "LongTail",
    "Model",
    "ModelInputs",
    "Options",
    "Order",
    "Popularity",
    "PrefixQuota",
    "Recommendation",
    "Recommender",
    "RecommenderService",
    "Rejected",
    "Reranker",
    "Surface",
    "catalogue_service",
    "convert_movielens",
    "curiosity_weight",
    "dataset_service",
    "diversifiers",
    "from_pairs",
    "load_config",
    "load_dataset",
    "make_model",
    "ndcg",
    "parse_goal",
    "parse_only",
    "precision",
    "recall",
    "run_evaluation",
    "split_per_user",
    "work_attributes",
]
