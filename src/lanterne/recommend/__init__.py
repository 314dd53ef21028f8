"""Public-service recommendation: candidate models, diversity and exposure goals, explanations,
and an evaluation protocol that any dataset can follow (docs/recommend.md)."""

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
from lanterne.recommend._goals import Goal, Surface, parse_goal
from lanterne.recommend._models import (
    ALS,
    EASE,
    MODELS,
    Blend,
    Content,
    ItemKNN,
    Model,
    Popularity,
    make_model,
)
from lanterne.recommend._pipeline import Explanation, Recommendation, Recommender, curiosity_weight
from lanterne.recommend._platform import LanterneLocal
from lanterne.recommend._rerank import (
    MMR,
    Calibrated,
    ConstrainedRanker,
    GoalResult,
    ItemSpace,
    LongTail,
    PrefixQuota,
)
from lanterne.rejected import Rejected

__all__ = [
    "ALS",
    "EASE",
    "MMR",
    "MODELS",
    "Attributes",
    "Blend",
    "Calibrated",
    "ConstrainedRanker",
    "Content",
    "Dataset",
    "EvalConfig",
    "EvalReport",
    "EvalStep",
    "Explanation",
    "Goal",
    "GoalResult",
    "ItemKNN",
    "ItemSpace",
    "LanterneLocal",
    "LongTail",
    "Model",
    "Popularity",
    "PrefixQuota",
    "Recommendation",
    "Recommender",
    "Rejected",
    "Surface",
    "curiosity_weight",
    "from_pairs",
    "load_config",
    "load_dataset",
    "make_model",
    "parse_goal",
    "run_evaluation",
    "split_per_user",
]
