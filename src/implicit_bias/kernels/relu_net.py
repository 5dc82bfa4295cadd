"""Sub-gradient method for a deep ReLU network on the l1 loss (Ma & Fattahi 2022, Sec. 5, Fig. 2).

f_W(x) = W_N s(W_{N-1} s(... s(W_1 x))), s = ReLU, no biases; W_1 (h, d), W_2..W_{N-1} (h, h),
W_N (1, h). Loss L = (1/m) sum_i |f_W(x_i) - y_i|; back-propagation with dL/df_i =
sign(f_i - y_i)/m (sign(0) = 0) and s'(0) = 0; full batch, constant step, simultaneous update.
Inputs are stored transposed, XT (d, m), so every layer is one GEMM on (h, m) activations.

NumPy with single-threaded BLAS: at the spec's size (m = 1500, d = 50, h = 64) a step is about
three GEMMs of 5-6 Mflop per layer. The (64, 64) x (64, 1500) product took 0.23 ms in OpenBLAS
against 1.2 ms for a vectorizing i-k-j Numba loop (no fastmath), so BLAS is used; a whole step
took 1.2 / 2.5 / 3.7 ms for N = 2 / 3 / 4. Buffers are preallocated and every GEMM writes into
them (np.matmul(out=)).
"""

from __future__ import annotations

import math

import numpy as np

from .diagonal import STATUS_DIVERGED, STATUS_MAX_STEPS, log_grid, with_endpoint

__all__ = [
    "MLP_LOSSES",
    "RELU_METRICS",
    "init_mlp",
    "init_relu",
    "mlp_forward",
    "mlp_loss_grad",
    "train_mlp",
    "relu_forward",
    "relu_subgradient",
    "subgm_relu",
]

RELU_METRICS: tuple[str, ...] = ("train_loss", "test_mse")
W_DIVERGED = 1e6


def init_relu(rng: np.random.Generator, N: int, d: int, h: int, alpha: float) -> list[np.ndarray]:
    """Layers with i.i.d. N(0, alpha^(2/N) / d) entries (the paper's init, d = input dim)."""
    if int(N) != N or N < 2:
        raise ValueError(f"N must be an integer >= 2, got {N}")
    std = float(alpha) ** (1.0 / N) / math.sqrt(d)
    shapes = [(h, d)] + [(h, h)] * (N - 2) + [(1, h)]
    return [std * rng.standard_normal(s) for s in shapes]


def relu_forward(Ws, XT) -> np.ndarray:
    """f_W(x_i) for the columns of XT (d, n); returns (n,)."""
    H = np.asarray(XT, dtype=np.float64)
    for W in Ws[:-1]:
        H = np.maximum(W @ H, 0.0)
    return (Ws[-1] @ H)[0]


def relu_subgradient(Ws, XT, y) -> tuple[float, list[np.ndarray]]:
    """(L, [dL/dW_a]) by back-propagation with sign(0) = 0 and ReLU'(0) = 0 (allocating)."""
    XT = np.asarray(XT, dtype=np.float64)
    m = XT.shape[1]
    Z, H = [], [XT]
    for W in Ws[:-1]:
        Z.append(W @ H[-1])
        H.append(np.maximum(Z[-1], 0.0))
    f = (Ws[-1] @ H[-1])[0]
    delta = (np.sign(f - y) / m)[None, :]
    grads = [None] * len(Ws)
    grads[-1] = delta @ H[-1].T
    D = (Ws[-1].T @ delta) * (Z[-1] > 0)
    for a in range(len(Ws) - 2, -1, -1):
        grads[a] = D @ H[a].T
        if a > 0:
            D = (Ws[a].T @ D) * (Z[a - 1] > 0)
    return float(np.mean(np.abs(f - y))), grads


def subgm_relu(
    Ws0, XT, y, XT_test, f_test, eta: float, T: int, log_steps=None, progress=None
) -> dict:
    """SubGM with constant eta for t = 0..T from the layers Ws0 (copied).

    XT (d, m) and y (m,) are the training set; XT_test (d, n_test) and f_test (n_test,) the clean
    test targets. At log_steps (default log_grid(T, 40) plus T) the state before its update gives
    train_loss and test_mse = mean (f_W(x) - f_test)^2. Stops with status diverged on NaN or an
    entry above 1e6. Returns steps, metrics, Ws, status, mse_min, t_min (over logged steps), t_end.
    ``progress`` (a progress.Progress) gets the training loss.
    """
    XT = np.ascontiguousarray(XT, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    XT_test = np.ascontiguousarray(XT_test, dtype=np.float64)
    f_test = np.asarray(f_test, dtype=np.float64)
    Ws = [np.array(W, dtype=np.float64, order="C") for W in Ws0]
    N = len(Ws)
    if N < 2:
        raise ValueError("need at least two layers")
    d, m = XT.shape
    h = Ws[0].shape[0]
    if Ws[0].shape != (h, d) or Ws[-1].shape != (1, h) or y.shape != (m,):
        raise ValueError("layer shapes must be (h, d), (h, h)..., (1, h) with y (m,)")
    T = int(T)
    grid = with_endpoint(log_grid(T, 40) if log_steps is None else log_steps, T)
    metrics = np.full((grid.size, 2), np.nan)
    # preallocated activations: Z[a] = W_a H[a-1], H[a] = ReLU(Z[a]), H[-1] is XT
    Z = [np.empty((h, m)) for _ in range(N - 1)]
    H = [np.empty((h, m)) for _ in range(N - 1)]
    D = [np.empty((h, m)) for _ in range(N - 1)]
    G = [np.empty_like(W) for W in Ws]
    f = np.empty((1, m))
    delta = np.empty((1, m))
    status = STATUS_MAX_STEPS
    k = 0
    t = 0
    mse_min, t_min = math.inf, 0
    while True:
        prev = XT
        for a in range(N - 1):
            np.matmul(Ws[a], prev, out=Z[a])
            np.maximum(Z[a], 0.0, out=H[a])
            prev = H[a]
        np.matmul(Ws[-1], prev, out=f)
        np.subtract(f[0], y, out=delta[0])
        loss = float(np.mean(np.abs(delta)))
        if progress is not None:
            progress.update(t, loss)
        if not math.isfinite(loss):
            status = STATUS_DIVERGED
            break
        if k < grid.size and grid[k] == t:
            mse = float(np.mean((relu_forward(Ws, XT_test) - f_test) ** 2))
            metrics[k] = (loss, mse)
            if mse < mse_min:
                mse_min, t_min = mse, t
            k += 1
        if t >= T:
            break
        np.sign(delta, out=delta)
        delta /= m
        np.matmul(delta, H[-1].T, out=G[-1])
        np.matmul(Ws[-1].T, delta, out=D[-1])
        D[-1] *= Z[-1] > 0.0
        for a in range(N - 2, -1, -1):
            np.matmul(D[a], (H[a - 1] if a > 0 else XT).T, out=G[a])
            if a > 0:
                np.matmul(Ws[a].T, D[a], out=D[a - 1])
                D[a - 1] *= Z[a - 1] > 0.0
        big = 0.0
        for W, g in zip(Ws, G, strict=True):
            W -= eta * g
            big = max(big, float(np.max(np.abs(W))))
        t += 1
        if not big <= W_DIVERGED:
            status = STATUS_DIVERGED
            break
    return {
        "steps": grid[:k],
        "metrics": {name: metrics[:k, i] for i, name in enumerate(RELU_METRICS)},
        "Ws": Ws,
        "status": int(status),
        "mse_min": float(mse_min),
        "t_min": int(t_min),
        "t_end": int(t),
    }


# ----------------------------------------------------------------- E7p: a small MLP classifier
MLP_LOSSES = ("ce", "l1")


def init_mlp(rng: np.random.Generator, sizes) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W (out, in), b (out,)) per layer, i.i.d. U(+-1/sqrt(fan_in)) (PyTorch's default)."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / math.sqrt(fan_in)
        W = rng.uniform(-bound, bound, (fan_out, fan_in))
        layers.append((W, rng.uniform(-bound, bound, fan_out)))
    return layers


def mlp_forward(layers, X) -> tuple[np.ndarray, list[np.ndarray]]:
    """Outputs (n, C) for inputs X (n, in) and the activations [X, H_1, ...] (ReLU, biases)."""
    acts = [X]
    H = X
    for a, (W, b) in enumerate(layers):
        Z = H @ W.T + b
        H = Z if a == len(layers) - 1 else np.maximum(Z, 0.0)
        acts.append(H)
    return H, acts[:-1]


def mlp_loss_grad(layers, X, labels, loss: str) -> tuple[float, list]:
    """Batch-mean loss and its (sub)gradient w.r.t. every (W, b).

    ce: cross-entropy of softmax(f); l1: sum_c |f_c - onehot_c| (eq. 12), sign(0) = 0.
    """
    f, acts = mlp_forward(layers, X)
    n, C = f.shape
    onehot = np.zeros((n, C))
    onehot[np.arange(n), labels] = 1.0
    if loss == "ce":
        z = f - f.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = float(-np.mean(logp[np.arange(n), labels]))
        delta = (np.exp(logp) - onehot) / n
    elif loss == "l1":
        r = f - onehot
        value = float(np.mean(np.sum(np.abs(r), axis=1)))
        delta = np.sign(r) / n
    else:
        raise ValueError(f"loss must be one of {MLP_LOSSES}, got {loss!r}")
    grads = [None] * len(layers)
    for a in range(len(layers) - 1, -1, -1):
        W, _ = layers[a]
        grads[a] = (delta.T @ acts[a], delta.sum(axis=0))
        if a > 0:
            delta = (delta @ W) * (acts[a] > 0.0)
    return value, grads


def train_mlp(
    X_train,
    y_train,
    X_test,
    y_test,
    hidden: int,
    width: int,
    loss: str,
    lr: float,
    epochs: int,
    batch: int,
    momentum: float,
    decay_every: int,
    decay: float,
    rng: np.random.Generator,
    progress=None,
) -> dict:
    """Mini-batch SGD with momentum (PyTorch form v <- mu v + g, w <- w - lr v) on an MLP with
    ``hidden`` ReLU layers of ``width``; lr x decay every ``decay_every`` epochs.

    Returns per-epoch train_acc (on the given, possibly noisy labels), test_acc, train_loss, the
    final layers and status (diverged on a non-finite loss; the remaining epochs are NaN).
    ``progress`` (a progress.Progress, in epochs) gets the epoch's training loss.
    """
    n, n_in = X_train.shape
    C = int(max(y_train.max(), y_test.max())) + 1
    layers = init_mlp(rng, [n_in] + [width] * hidden + [C])
    velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in layers]
    out = {k: np.full(epochs, np.nan) for k in ("train_acc", "test_acc", "train_loss")}
    status = STATUS_MAX_STEPS
    for epoch in range(epochs):
        rate = lr * decay ** (epoch // decay_every)
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            value, grads = mlp_loss_grad(layers, X_train[idx], y_train[idx], loss)
            total += value * idx.size
            for a, ((W, b), (gW, gb), (vW, vb)) in enumerate(
                zip(layers, grads, velocity, strict=True)
            ):
                vW *= momentum
                vW += gW
                vb *= momentum
                vb += gb
                layers[a] = (W - rate * vW, b - rate * vb)
        if not math.isfinite(total):
            status = STATUS_DIVERGED
            break
        out["train_loss"][epoch] = total / n
        out["train_acc"][epoch] = np.mean(mlp_forward(layers, X_train)[0].argmax(1) == y_train)
        out["test_acc"][epoch] = np.mean(mlp_forward(layers, X_test)[0].argmax(1) == y_test)
        if progress is not None:
            progress.update(epoch + 1, out["train_loss"][epoch])
    out["status"] = status
    out["layers"] = layers
    return out
