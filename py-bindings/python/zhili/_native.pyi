"""Type stubs of the native module (kept true by `python -m mypy.stubtest zhili._native` in the tests)."""

import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "ZhiliError",
    "FrameworkError",
    "ParseError",
    "DataError",
    "MissingColumnError",
    "ShapeError",
    "EmptyDataError",
    "UnknownIdError",
    "MethodError",
    "PipelineError",
    "InternalError",
    "MemoryLimitError",
    "set_max_memory",
    "max_memory",
    "Problem",
    "Framework",
    "Pipeline",
    "Run",
    "FittedPipeline",
    "fit",
    "_fitted_from_json",
    "PartialFit",
    "_partial_fit_from_json",
    "score",
    "criteria_weights",
    "group_weights",
    "grade",
    "grading_spec",
    "ahp_matrix",
    "ahp_group",
    "ahp_framework",
    "pca_weights",
    "bod",
    "combine_weights",
    "coupling",
    "obstacles",
    "uncertainty",
    "replay",
    "sensitivity",
    "audit",
    "analysis_spec",
    "coinr_design",
    "design_info",
    "sample_design",
    "read_text",
    "read_table",
    "check_dataset",
    "decode",
    "bundled",
    "derive_grid_events",
    "roll_up_households",
    "_framework_from_json",
    "_pipeline_from_json",
    "_run_from_state",
    "_debug_panic",
    "__version__",
]

__version__: str

class ZhiliError(Exception): ...
class FrameworkError(ZhiliError): ...
class ParseError(ZhiliError): ...
class DataError(ZhiliError): ...
class MissingColumnError(DataError): ...
class ShapeError(DataError): ...
class EmptyDataError(DataError): ...
class UnknownIdError(ZhiliError): ...
class MethodError(ZhiliError): ...
class PipelineError(ZhiliError): ...
class InternalError(ZhiliError): ...

class MemoryLimitError(ZhiliError): ...

def set_max_memory(size: Union[str, int, None]) -> None: ...
def max_memory() -> int: ...

@final
class Problem:
    @property
    def node(self) -> Optional[str]: ...
    @property
    def kind(self) -> str: ...
    @property
    def message(self) -> str: ...
    def __new__(cls, node: Optional[str], kind: str, message: str) -> Problem: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Optional[str], str, str]]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Framework:
    @staticmethod
    def from_toml(text: str, file: str = "<toml>") -> Framework: ...
    @staticmethod
    def from_json(text: str, file: str = "<json>") -> Framework: ...
    @staticmethod
    def from_coinr_json(records_json: str, file: str = "iMeta", row_offset: int = 2) -> Framework: ...
    @staticmethod
    def from_coinr_csv(text: str, file: str = "iMeta") -> Framework: ...
    def to_toml(self) -> str: ...
    def to_json(self) -> str: ...
    def to_coinr_json(self) -> str: ...
    @property
    def id(self) -> Optional[str]: ...
    @property
    def name(self) -> Tuple[Optional[str], Optional[str]]: ...
    @property
    def root_id(self) -> str: ...
    @property
    def indicator_ids(self) -> List[str]: ...
    @property
    def node_ids(self) -> List[str]: ...
    def effective_weights(self) -> List[float]: ...
    def nodes(self) -> List[Dict[str, Any]]: ...
    def with_weights(self, weights: Sequence[Tuple[str, float]]) -> Framework: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Pipeline:
    @staticmethod
    def default() -> Pipeline: ...
    @staticmethod
    def from_toml(text: str, file: str = "<pipeline>") -> Pipeline: ...
    @staticmethod
    def from_json(text: str) -> Pipeline: ...
    def to_toml(self) -> str: ...
    def to_json(self) -> str: ...
    def step_types(self) -> List[str]: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class FittedPipeline:
    @staticmethod
    def from_json(text: str) -> FittedPipeline: ...
    @staticmethod
    def from_toml(text: str) -> FittedPipeline: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    def framework(self) -> Framework: ...
    def pipeline(self) -> Pipeline: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    def __eq__(self, value: object, /) -> bool: ...

def fit(
    framework: Framework,
    pipeline: Pipeline,
    unit_ids: Sequence[str],
    indicator_ids: Sequence[str],
    values: Union[npt.NDArray[np.float64], Sequence[npt.NDArray[np.float64]]],
    *,
    unit_names: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Optional[str]]]] = None,
    numeric: Optional[Mapping[str, npt.NDArray[np.float64]]] = None,
    time: Optional[Sequence[int]] = None,
    options: Optional[str] = None,
) -> FittedPipeline: ...
def _fitted_from_json(text: str) -> FittedPipeline: ...

@final
class PartialFit:
    def __new__(cls, framework: Framework, pipeline: Pipeline, options: Optional[str] = None) -> PartialFit: ...
    def update(
        self,
        unit_ids: Sequence[str],
        indicator_ids: Sequence[str],
        values: Union[npt.NDArray[np.float64], Sequence[npt.NDArray[np.float64]]],
        *,
        unit_names: Optional[Sequence[str]] = None,
        groups: Optional[Mapping[str, Sequence[Optional[str]]]] = None,
        numeric: Optional[Mapping[str, npt.NDArray[np.float64]]] = None,
        time: Optional[Sequence[int]] = None,
    ) -> None: ...
    def merge(self, other: PartialFit) -> None: ...
    def finish(self) -> FittedPipeline: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> PartialFit: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...

def _partial_fit_from_json(text: str) -> PartialFit: ...

@final
class Run:
    @property
    def framework(self) -> Framework: ...
    @property
    def unit_ids(self) -> List[str]: ...
    @property
    def data_unit_ids(self) -> List[str]: ...
    @property
    def data_time(self) -> Optional[List[int]]: ...
    @property
    def node_ids(self) -> List[str]: ...
    @property
    def indicator_ids(self) -> List[str]: ...
    @property
    def index_id(self) -> str: ...
    @property
    def ties(self) -> str: ...
    @property
    def core_seconds(self) -> float: ...
    @property
    def build_seconds(self) -> float: ...
    def scores(self) -> npt.NDArray[np.float64]: ...
    def ranks(self) -> npt.NDArray[np.float64]: ...
    def index_ranks(self) -> npt.NDArray[np.float64]: ...
    def result_rows(self) -> List[int]: ...
    def stage_names(self) -> List[str]: ...
    @property
    def stages_built(self) -> bool: ...
    def stage(self, name: str) -> Tuple[List[int], npt.NDArray[np.float64]]: ...
    def log(self) -> Dict[str, Any]: ...
    def effective_weights(self) -> npt.NDArray[np.float64]: ...
    def normaliser_json(self) -> Optional[str]: ...
    def html_report(
        self,
        *,
        lang: Optional[str] = None,
        uncertainty: Optional[int] = None,
        sensitivity: Optional[int] = None,
        factors_json: Optional[str] = None,
        seed: int = 1,
        grading_toml: Optional[str] = None,
        command: Optional[str] = None,
    ) -> str: ...
    def to_excel(
        self,
        path: Union[str, "os.PathLike[str]"],
        *,
        lang: Optional[str] = None,
        stages: bool = False,
        unit_names: Optional[Sequence[str]] = None,
        grading: Optional[str] = None,
    ) -> None: ...
    def __reduce__(self) -> Tuple[Any, Tuple[Any, ...]]: ...

def score(
    framework: Framework,
    pipeline: Pipeline,
    unit_ids: Sequence[str],
    indicator_ids: Sequence[str],
    values: Union[npt.NDArray[np.float64], Sequence[npt.NDArray[np.float64]]],
    *,
    unit_names: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Optional[str]]]] = None,
    numeric: Optional[Mapping[str, npt.NDArray[np.float64]]] = None,
    time: Optional[Sequence[int]] = None,
    weights: Optional[Mapping[str, float]] = None,
    keep_stages: Optional[bool] = None,
) -> Run: ...
def criteria_weights(
    values: npt.NDArray[np.float64],
    names: Sequence[str],
    directions: Sequence[str],
    method_json: str,
    unit_ids: Optional[Sequence[str]] = None,
) -> str: ...
def group_weights(
    framework: Framework,
    values: npt.NDArray[np.float64],
    method_json: str,
    aggregate_json: Optional[str] = None,
    unit_ids: Optional[Sequence[str]] = None,
) -> List[Tuple[str, float]]: ...
def grade(scores: npt.NDArray[np.float64], grading_json: str) -> str: ...
def grading_spec(text: str, name: str) -> str: ...
def ahp_matrix(matrix: npt.NDArray[np.float64], labels: Sequence[str], options_json: str) -> str: ...
def ahp_group(matrices: Sequence[npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]: ...
def ahp_framework(framework: Framework, spec: str, toml: bool = False, options_json: Optional[str] = None) -> str: ...
def pca_weights(
    values: npt.NDArray[np.float64],
    names: Sequence[str],
    directions: Sequence[str],
    options_json: str,
    unit_ids: Optional[Sequence[str]] = None,
) -> str: ...
def bod(
    values: npt.NDArray[np.float64],
    names: Sequence[str],
    directions: Sequence[str],
    options_json: str,
    unit_ids: Optional[Sequence[str]] = None,
) -> str: ...
def combine_weights(sets_json: str, rule_json: str) -> str: ...
def coupling(u: npt.NDArray[np.float64], options_json: str, unit_ids: Optional[Sequence[str]] = None) -> str: ...
def obstacles(
    framework: Framework,
    values: npt.NDArray[np.float64],
    max: float,
    unit_ids: Optional[Sequence[str]] = None,
) -> Tuple[List[str], npt.NDArray[np.float64]]: ...
def read_text(path: Union[str, os.PathLike[str]]) -> Tuple[str, str]: ...
def decode(data: bytes, file: str = "<bytes>") -> Tuple[str, str]: ...
def read_table(
    path: Union[str, os.PathLike[str]],
    sheet: Optional[str] = None,
    encoding: Optional[str] = None,
    arrow_text: bool = False,
) -> Tuple[List[str], List[Union[npt.NDArray[np.float64], List[Optional[str]], Tuple[Any, Any]]], Optional[str]]: ...
def check_dataset(
    framework: Framework,
    path: Union[str, os.PathLike[str]],
    sheet: Optional[str] = None,
    unit: Optional[str] = None,
) -> None: ...
def bundled() -> List[Dict[str, Any]]: ...
def derive_grid_events(
    events_csv: str, population_csv: str, *, by_year: bool = False, as_of: Optional[str] = None, file: str = "events"
) -> Tuple[str, List[str]]: ...
def roll_up_households(
    households_csv: str, *, grading_toml: Optional[str] = None, level: str = "village", file: str = "households"
) -> Tuple[str, List[str]]: ...
def _framework_from_json(text: str) -> Framework: ...
def _pipeline_from_json(text: str) -> Pipeline: ...
def _run_from_state(
    framework_json: str,
    ties: str,
    units: Sequence[str],
    time: Optional[Sequence[int]],
    stages: Sequence[Tuple[str, Sequence[int], npt.NDArray[np.float64]]],
    log_json: str,
    normaliser_json: Optional[str],
    result_units: Sequence[str],
    scores: npt.NDArray[np.float64],
    lazy: Optional[
        Tuple[
            str,
            Sequence[str],
            npt.NDArray[np.float64],
            Optional[Sequence[str]],
            Mapping[str, Sequence[Optional[str]]],
            Mapping[str, npt.NDArray[np.float64]],
        ]
    ] = None,
) -> Run: ...
def _debug_panic() -> None: ...

def uncertainty(
    framework: Framework,
    pipeline: Pipeline,
    data: Dict[str, Any],
    factors_json: str,
    *,
    runs: int = 1000,
    seed: int = 0,
    nodes: Optional[Sequence[str]] = None,
    keep_runs: bool = False,
    record_design: bool = False,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Dict[str, Any]: ...
def replay(
    framework: Framework,
    pipeline: Pipeline,
    data: Dict[str, Any],
    design_csv: str,
    *,
    nodes: Optional[Sequence[str]] = None,
    keep_runs: bool = False,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Dict[str, Any]: ...
def sensitivity(
    framework: Framework,
    pipeline: Pipeline,
    data: Dict[str, Any],
    factors_json: str,
    *,
    n: int = 1000,
    seed: int = 0,
    output: str = "mean_abs_rank_shift",
    unit: Optional[str] = None,
    resamples: int = 1000,
    confidence: float = 0.95,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Dict[str, Any]: ...
def audit(
    framework: Framework,
    pipeline: Pipeline,
    data: Dict[str, Any],
    *,
    method: str = "pearson",
    collinear: float = 0.9,
    stage: Optional[str] = None,
    remove_one: bool = True,
) -> Dict[str, Any]: ...
def analysis_spec(text: str, file: str = "<analysis>") -> str: ...
def coinr_design(design_csv: str, weight_sets_csv: str) -> str: ...
def design_info(design_csv: str) -> Tuple[List[str], int]: ...
def sample_design(framework: Framework, factors_json: str, runs: int, seed: int) -> str: ...
