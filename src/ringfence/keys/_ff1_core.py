"""The FF1 algorithm of NIST SP 800-38G (§5.1, Algorithms 7 and 8) on numeral strings.

Two implementations of the same rounds that must agree on every input (the tests check both against an
independent reference and the NIST samples):

- :func:`crypt_numerals` follows the specification literally with Python integers, for one value;
- :func:`crypt_matrix` runs the ten rounds for a whole batch of equal-length values at once: NumPy does
  the NUM/STR arithmetic for every row, and each round makes one AES call over the blocks of all rows.

The PRF of FF1 is a CBC-MAC over ``P || Q``. Only the last ``ceil((1 + b) / 16)`` blocks of ``Q`` depend on
the row (they hold the round number and ``NUM(B)``); the CBC state before them depends only on the radix,
the length and the tweak, so it is computed once per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ringfence.keys._aes import BlockCipher

U64 = npt.NDArray[np.uint64]
Numerals = npt.NDArray[np.uint32]

ROUNDS = 10
MIN_DOMAIN = 1_000_000  # radix**length, required by SP 800-38G Rev. 1 (2nd public draft, 2025)
MAX_LENGTH = 2**32 - 1
_M32 = np.uint64(0xFFFFFFFF)
_FAST_LIMIT = 1 << 56  # halves below this bound run in single uint64 words


@dataclass(frozen=True, slots=True)
class Layout:
    """The per-(radix, length, tweak) constants of FF1: split, byte lengths and the fixed part of P || Q."""

    radix: int
    n: int
    u: int
    v: int
    b: int
    d: int
    prefix: bytes  # P || T || [0]^((-t-b-1) mod 16): the part of P || Q before [i] || [NUM(B)]^b


def layout(radix: int, n: int, tweak: bytes) -> Layout:
    """Steps 1-5 of Algorithm 7: ``u, v, b, d`` and ``P``; ``b`` is computed exactly, without logarithms."""
    u = n // 2
    v = n - u
    b = ((radix**v - 1).bit_length() + 7) // 8
    d = 4 * ((b + 3) // 4) + 4
    t = len(tweak)
    p = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256]) + n.to_bytes(4, "big")
    p += t.to_bytes(4, "big")
    return Layout(radix, n, u, v, b, d, p + tweak + bytes((-t - b - 1) % 16))


def _cbc_mac(ciph: Callable[[bytes], bytes], data: bytes, state: bytes = bytes(16)) -> bytes:
    """CBC-MAC with a zero IV (the PRF of SP 800-38G §4.3), continuing from ``state``."""
    for k in range(0, len(data), 16):
        chained = int.from_bytes(state, "big") ^ int.from_bytes(data[k : k + 16], "big")
        state = ciph(chained.to_bytes(16, "big"))
    return state


def _split(lay: Layout) -> int:
    """Bytes of ``P || Q`` before the blocks that hold ``[i] || [NUM]^b``: the same in every round."""
    return len(lay.prefix) + 1 + lay.b - 16 * -(-(1 + lay.b) // 16)


def crypt_numerals(
    cipher: BlockCipher, radix: int, x: Sequence[int], tweak: bytes, *, decrypt: bool
) -> list[int]:
    """FF1.Encrypt or FF1.Decrypt of one numeral string, literally as specified (Python integers)."""
    lay = layout(radix, len(x), tweak)
    ciph = cipher.block_function()
    fixed = _split(lay)
    state = _cbc_mac(ciph, lay.prefix[:fixed])
    num_a = 0
    for digit in x[: lay.u]:
        num_a = num_a * radix + digit
    num_b = 0
    for digit in x[lay.u :]:
        num_b = num_b * radix + digit
    moduli = (radix**lay.u, radix**lay.v)
    for i in range(ROUNDS - 1, -1, -1) if decrypt else range(ROUNDS):
        q_tail = lay.prefix[fixed:] + bytes([i]) + (num_a if decrypt else num_b).to_bytes(lay.b, "big")
        r = _cbc_mac(ciph, q_tail, state)
        s = r
        for j in range(1, -(-lay.d // 16)):  # S = R || CIPH(R xor [1]) || CIPH(R xor [2]) ...
            s += ciph((int.from_bytes(r, "big") ^ j).to_bytes(16, "big"))
        y = int.from_bytes(s[: lay.d], "big")
        modulus = moduli[i % 2]
        if decrypt:
            num_a, num_b = (num_b - y) % modulus, num_a
        else:
            num_a, num_b = num_b, (num_a + y) % modulus
    return _digits(num_a, radix, lay.u) + _digits(num_b, radix, lay.v)


def _digits(value: int, radix: int, length: int) -> list[int]:
    out = [0] * length
    for k in range(length - 1, -1, -1):
        value, out[k] = divmod(value, radix)
    return out


# ------------------------------------------------------------------------------------------ batches


def crypt_matrix(cipher: BlockCipher, radix: int, x: Numerals, tweak: bytes, *, decrypt: bool) -> Numerals:
    """FF1 of every row of an ``(rows, n)`` numeral matrix; equal to :func:`crypt_numerals` row by row."""
    rows, n = x.shape
    lay = layout(radix, n, tweak)
    if rows == 0:
        return x.astype(np.uint32, copy=True)
    fixed = _split(lay)
    state = _cbc_mac(cipher.block_function(), lay.prefix[:fixed])
    tail_const = lay.prefix[fixed:]
    if radix**lay.v <= _FAST_LIMIT:
        return _fast(cipher, lay, x, state, tail_const, decrypt)
    return _wide(cipher, lay, x, state, tail_const, decrypt)


def _horner(x: Numerals, radix: int) -> U64:
    """NUM_radix of every row (most significant numeral first), for ``radix ** width <= 2**64``."""
    if radix ** x.shape[1] <= 1 << 53:  # exact in float64: one BLAS dot instead of a loop
        powers = np.float64(radix) ** np.arange(x.shape[1] - 1, -1, -1, dtype=np.float64)
        return (x.astype(np.float64) @ powers).astype(np.uint64)
    acc = np.zeros(x.shape[0], dtype=np.uint64)
    r = np.uint64(radix)
    for k in range(x.shape[1]):
        acc = acc * r + x[:, k]
    return acc


def _to_digits(value: U64, radix: int, length: int) -> Numerals:
    """STR_radix^length of every value (each below ``radix ** length``), most significant first."""
    out = np.empty((value.shape[0], length), dtype=np.uint32)
    word: npt.NDArray[np.uint32] | U64
    if radix**length <= 1 << 32:  # narrower words divide several times faster
        word, r32 = value.astype(np.uint32), np.uint32(radix)
        for k in range(length - 1, -1, -1):
            q32 = word // r32
            out[:, k] = word - q32 * r32
            word = q32
        return out
    word, r64 = value, np.uint64(radix)
    for k in range(length - 1, -1, -1):
        q64 = word // r64  # floor division by a scalar is vectorized; % and divmod are not
        out[:, k] = word - q64 * r64
        word = q64
    return out


def _fast(
    cipher: BlockCipher, lay: Layout, x: Numerals, state: bytes, tail_const: bytes, decrypt: bool
) -> Numerals:
    """All of ``A``, ``B``, ``radix**v`` below 2**56: one tail block, ``d <= 12``, one AES call per round.

    Works in preallocated buffers: at batch sizes that stay in cache, allocation costs more than arithmetic.
    """
    rows = x.shape[0]
    num_a = _horner(x[:, : lay.u], lay.radix)
    num_b = _horner(x[:, lay.u :], lay.radix)
    moduli = (lay.radix**lay.u, lay.radix**lay.v)
    s_hi = int.from_bytes(state[:8], "big")
    s_lo = int.from_bytes(state[8:], "big")
    blocks = np.empty((rows, 2), dtype=">u8")
    out = np.empty(rows * 16 + 15, dtype=np.uint8)
    r = out[: rows * 16].view(">u8").reshape(rows, 2)
    y = np.empty(rows, dtype=np.uint64)
    tmp = np.empty(rows, dtype=np.uint64)
    for i in range(ROUNDS - 1, -1, -1) if decrypt else range(ROUNDS):
        const = int.from_bytes(tail_const + bytes([i]) + bytes(lay.b), "big")
        blocks[:, 0] = np.uint64(s_hi ^ (const >> 64))
        np.bitwise_xor(num_a if decrypt else num_b, np.uint64(s_lo ^ (const & ((1 << 64) - 1))), out=tmp)
        blocks[:, 1] = tmp
        cipher.encrypt_into(blocks, out)
        y[:] = r[:, 0]
        m = np.uint64(moduli[i % 2])
        if lay.d == 12:
            _reduce_wide(y, r[:, 1], moduli[i % 2], tmp)
        else:
            np.floor_divide(y, m, out=tmp)  # y mod m; floor division by a scalar is vectorized, % is not
            np.multiply(tmp, m, out=tmp)
            np.subtract(y, tmp, out=y)
        # Modular add/subtract without a branch: values stay below 2**56, so of the two candidates the
        # wrong one is the one that wrapped around 2**64, the larger.
        if decrypt:
            np.subtract(num_b, y, out=y)
            np.add(y, m, out=tmp)
            np.minimum(y, tmp, out=num_b)
            num_a, num_b = num_b, num_a
        else:
            np.add(num_a, y, out=y)
            np.subtract(y, m, out=tmp)
            np.minimum(y, tmp, out=num_a)
            num_a, num_b = num_b, num_a
    return np.concatenate([_to_digits(num_a, lay.radix, lay.u), _to_digits(num_b, lay.radix, lay.v)], axis=1)


def _reduce_wide(y: U64, low_word: npt.NDArray[np.generic], modulus: int, tmp: U64) -> None:
    """In place, ``y = (y * 2**32 + (low_word >> 32)) mod modulus`` for ``modulus <= 2**56`` (``d = 12``)."""
    m = np.uint64(modulus)
    np.floor_divide(y, m, out=tmp)
    np.multiply(tmp, m, out=tmp)
    np.subtract(y, tmp, out=y)
    tail32 = low_word.astype(np.uint64) >> np.uint64(32)
    step = 32 if modulus <= 1 << 32 else 16 if modulus <= 1 << 48 else 8
    for shift in range(32 - step, -1, -step):
        np.left_shift(y, np.uint64(step), out=y)
        np.bitwise_or(y, (tail32 >> np.uint64(shift)) & np.uint64((1 << step) - 1), out=y)
        np.floor_divide(y, m, out=tmp)
        np.multiply(tmp, m, out=tmp)
        np.subtract(y, tmp, out=y)


def _chunk_digits(radix: int) -> int:
    """The most digits ``k`` with ``radix**k < 2**32``: a chunk that one 32-bit limb step can carry."""
    k = 1
    while radix ** (k + 1) < 1 << 32:
        k += 1
    return k


def _to_limbs(x: Numerals, radix: int, limbs: int) -> U64:
    """NUM_radix of each row as little-endian 32-bit limbs (held in uint64), ``limbs`` of them."""
    acc = np.zeros((x.shape[0], limbs), dtype=np.uint64)
    k = _chunk_digits(radix)
    for start in range(0, x.shape[1], k):
        part = x[:, start : start + k]
        carry = _horner(part, radix)
        mult = np.uint64(radix ** part.shape[1])
        for limb in range(limbs):
            t = acc[:, limb] * mult + carry
            acc[:, limb] = t & _M32
            carry = t >> np.uint64(32)
    return acc


def _low_digits(limbs_be: U64, radix: int, m: int) -> Numerals:
    """The ``m`` least significant radix digits (most significant first) of big-endian 32-bit limbs."""
    limbs_be = limbs_be.copy()
    out = np.empty((limbs_be.shape[0], m), dtype=np.uint32)
    k = _chunk_digits(radix)
    filled = 0
    while filled < m:
        divisor = np.uint64(radix**k)
        rem = np.zeros(limbs_be.shape[0], dtype=np.uint64)
        for limb in range(limbs_be.shape[1]):
            t = (rem << np.uint64(32)) | limbs_be[:, limb]
            limbs_be[:, limb], rem = np.divmod(t, divisor)
        take = min(k, m - filled)
        digits = _to_digits(rem, radix, k)[:, k - take :]
        out[:, m - filled - take : m - filled] = digits
        filled += take
    return out


def _add_digits(a: Numerals, y: Numerals, radix: int, subtract: bool) -> Numerals:
    """``(a + y) mod radix**m`` or ``(a - y) mod radix**m`` on digit matrices, most significant first."""
    out = np.empty_like(a)
    carry = np.zeros(a.shape[0], dtype=np.int64)
    r = np.int64(radix)
    for k in range(a.shape[1] - 1, -1, -1):
        s = a[:, k].astype(np.int64) + (-y[:, k].astype(np.int64) if subtract else y[:, k]) + carry
        if subtract:
            carry = np.where(s < 0, -1, 0)
            s = s - carry * r
        else:
            carry = (s >= r).astype(np.int64)
            s = s - carry * r
        out[:, k] = s
    return out


def _wide(
    cipher: BlockCipher, lay: Layout, x: Numerals, state: bytes, tail_const: bytes, decrypt: bool
) -> Numerals:
    """Halves beyond 2**56: digit matrices for A and B, 32-bit limbs for NUM(B) and y."""
    rows = x.shape[0]
    a = np.ascontiguousarray(x[:, : lay.u], dtype=np.uint32)
    b = np.ascontiguousarray(x[:, lay.u :], dtype=np.uint32)
    tail_len = len(tail_const) + 1 + lay.b
    num_limbs = -(-lay.b // 4)
    extra = -(-lay.d // 16) - 1
    state_row = np.frombuffer(state, dtype=np.uint8)
    counters = np.zeros((extra, 16), dtype=np.uint8)
    counters[:, 8:] = np.arange(1, extra + 1, dtype=">u8").view(np.uint8).reshape(extra, 8)
    for i in range(ROUNDS - 1, -1, -1) if decrypt else range(ROUNDS):
        source = a if decrypt else b
        limbs = _to_limbs(source, lay.radix, num_limbs)[:, ::-1].astype(">u4")
        num_bytes = np.ascontiguousarray(limbs).view(np.uint8).reshape(rows, -1)[:, 4 * num_limbs - lay.b :]
        tail = np.empty((rows, tail_len), dtype=np.uint8)
        tail[:, : len(tail_const)] = np.frombuffer(tail_const, dtype=np.uint8)
        tail[:, len(tail_const)] = i
        tail[:, len(tail_const) + 1 :] = num_bytes
        mac = np.broadcast_to(state_row, (rows, 16))
        for k in range(0, tail_len, 16):
            mac = cipher.encrypt_blocks(mac ^ tail[:, k : k + 16])
        if extra:
            more = cipher.encrypt_blocks(mac[:, None, :] ^ counters[None, :, :]).reshape(rows, -1)
            s = np.concatenate([mac, more], axis=1)[:, : lay.d]
        else:
            s = mac[:, : lay.d]
        y_limbs = np.ascontiguousarray(s).view(">u4").astype(np.uint64)
        m = lay.u if i % 2 == 0 else lay.v
        y = _low_digits(y_limbs, lay.radix, m)
        if decrypt:
            a, b = _add_digits(b, y, lay.radix, subtract=True), a
        else:
            a, b = b, _add_digits(a, y, lay.radix, subtract=False)
    return np.concatenate([a, b], axis=1)
