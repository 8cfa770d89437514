"""Running ONNX models with onnxruntime (never pickle): load once per content hash, score float32 batches."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medkosh.errors import InputError

_LOCK = threading.Lock()


def _session_from_bytes(data: bytes, where: str) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # 2 shared cores: one scoring thread per request is the fair share
    try:
        return ort.InferenceSession(data, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
        raise InputError(f"not a loadable ONNX model: {str(exc).splitlines()[0][:200]}", where=where,
                         hint="export the model with skl2onnx/torch.onnx and register the .onnx file") from None


@lru_cache(maxsize=16)
def _cached(sha: str) -> Any:
    from medkosh.store.objects import ObjectStore

    return _session_from_bytes(ObjectStore().get_bytes(sha), f"object {sha[:12]}")


def session_for(sha: str) -> Any:
    with _LOCK:
        return _cached(sha)


def inspect(data: bytes, where: str, n_features: int) -> dict[str, Any]:
    """Load the bytes, check they take `n_features` floats and give a probability; describe the graph."""
    sess = _session_from_bytes(data, where)
    inputs = sess.get_inputs()
    if len(inputs) != 1:
        raise InputError(f"the model has {len(inputs)} inputs; medkosh scores one float tensor", where=where,
                         hint="export with a single input of shape [None, n_features]")
    shape = inputs[0].shape
    width = shape[-1] if shape else None
    if isinstance(width, int) and width != n_features:
        raise InputError(f"the model takes {width} features but the schema lists {n_features}", where=where,
                         hint="make the schema's features match the model's input, in order")
    probe = score(sess, np.zeros((2, n_features), dtype=np.float32), where)
    return {"input": inputs[0].name, "input_shape": [str(d) for d in shape],
            "outputs": [o.name for o in sess.get_outputs()], "probe_scores": [round(float(v), 6) for v in probe]}


def score(sess: Any, x: NDArray[np.float32], where: str = "model") -> NDArray[np.float64]:
    """Probability of the positive class for each row."""
    name = sess.get_inputs()[0].name
    outs = sess.run(None, {name: np.ascontiguousarray(x, dtype=np.float32)})
    for o in outs:
        a = np.asarray(o) if not isinstance(o, list) else None
        if a is not None and a.ndim == 2 and a.shape[1] == 2 and a.dtype.kind == "f":
            return a[:, 1].astype(np.float64)
    for o in outs:
        a = np.asarray(o) if not isinstance(o, list) else None
        if a is not None and a.dtype.kind == "f" and a.size == len(x):
            return a.reshape(-1).astype(np.float64)
    raise InputError("the model returns no probability output", where=where,
                     hint="export classifiers with zipmap disabled (options={'zipmap': False})")
