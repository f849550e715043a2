"""FF1 against the NIST samples and against a second, literal implementation of SP 800-38G written here.

The reference below shares no code with ``ringfence.transform``: it follows Algorithm 7/8 step by step
with Python integers, computes ``b`` by counting bits rather than with ``log2``, and calls AES one block
at a time. Both the one-value path and the batched column path (uint64 rounds for short halves, 32-bit
limbs for long ones) must agree with it on every value.
"""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ringfence.keys.ff1 import BASE36, DIGITS, FF1, Alphabet, decrypt_column, encrypt_column

KEY_128 = "2B7E151628AED2A6ABF7158809CF4F3C"
KEY_192 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F"
KEY_256 = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94"
TWEAK_2 = "39383736353433323130"
TWEAK_3 = "3737373770717273373737"
PT_10 = "0123456789"
PT_36 = "0123456789abcdefghi"

# NIST "FF1 samples" (FF1samples.pdf), samples 1-9: key, radix, tweak, plaintext, ciphertext.
NIST_SAMPLES = [
    (1, KEY_128, 10, "", PT_10, "2433477484"),
    (2, KEY_128, 10, TWEAK_2, PT_10, "6124200773"),
    (3, KEY_128, 36, TWEAK_3, PT_36, "a9tv40mll9kdu509eum"),
    (4, KEY_192, 10, "", PT_10, "2830668132"),
    (5, KEY_192, 10, TWEAK_2, PT_10, "2496655549"),
    (6, KEY_192, 36, TWEAK_3, PT_36, "xbj3kv35jrawxv32ysr"),
    (7, KEY_256, 10, "", PT_10, "6657667009"),
    (8, KEY_256, 10, TWEAK_2, PT_10, "1001623463"),
    (9, KEY_256, 36, TWEAK_3, PT_36, "xs8a0azh2avyalyzuwd"),
]


def reference_ff1(key: bytes, radix: int, tweak: bytes, x: list[int], *, decrypt: bool = False) -> list[int]:
    """SP 800-38G Algorithms 7 (encrypt) and 8 (decrypt), step by step."""
    aes = Cipher(algorithms.AES(key), modes.ECB()).encryptor()

    def ciph(block: bytes) -> bytes:
        return aes.update(block)

    def prf(data: bytes) -> bytes:
        y = bytes(16)
        for j in range(0, len(data), 16):
            y = ciph(bytes(p ^ q for p, q in zip(y, data[j : j + 16], strict=True)))
        return y

    def num(digits: list[int]) -> int:
        value = 0
        for digit in digits:
            value = value * radix + digit
        return value

    def str_m(value: int, m: int) -> list[int]:
        out = []
        for _ in range(m):
            value, digit = divmod(value, radix)
            out.append(digit)
        return out[::-1]

    n, t = len(x), len(tweak)
    u = n // 2
    v = n - u
    a, b_half = list(x[:u]), list(x[u:])
    bits = 0
    while 2**bits < radix**v:  # ceil(v * log2(radix)), exactly
        bits += 1
    b = (bits + 7) // 8
    d = 4 * ((b + 3) // 4) + 4
    p = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256]) + n.to_bytes(4, "big")
    p += t.to_bytes(4, "big")
    for i in reversed(range(10)) if decrypt else range(10):
        q = tweak + bytes((-t - b - 1) % 16) + bytes([i]) + num(a if decrypt else b_half).to_bytes(b, "big")
        r = prf(p + q)
        s = r
        for j in range(1, (d + 15) // 16):
            s += ciph(bytes(p ^ q for p, q in zip(r, j.to_bytes(16, "big"), strict=True)))
        y = int.from_bytes(s[:d], "big")
        m = u if i % 2 == 0 else v
        if decrypt:
            c = (num(b_half) - y) % radix**m
            a, b_half = str_m(c, m), a
        else:
            c = (num(a) + y) % radix**m
            a, b_half = b_half, str_m(c, m)
    return a + b_half


@pytest.mark.parametrize(("sample", "key", "radix", "tweak", "plain", "cipher"), NIST_SAMPLES)
def test_nist_samples_one_value(
    sample: int, key: str, radix: int, tweak: str, plain: str, cipher: str
) -> None:
    ff1 = FF1(bytes.fromhex(key), DIGITS if radix == 10 else BASE36)
    assert ff1.encrypt(plain, bytes.fromhex(tweak)) == cipher
    assert ff1.decrypt(cipher, bytes.fromhex(tweak)) == plain


@pytest.mark.parametrize(("sample", "key", "radix", "tweak", "plain", "cipher"), NIST_SAMPLES)
def test_nist_samples_column(sample: int, key: str, radix: int, tweak: str, plain: str, cipher: str) -> None:
    ff1 = FF1(bytes.fromhex(key), DIGITS if radix == 10 else BASE36)
    column = pa.array([plain, None, plain])
    assert encrypt_column(ff1, column, bytes.fromhex(tweak)).to_pylist() == [cipher, None, cipher]
    assert decrypt_column(ff1, pa.array([cipher]), bytes.fromhex(tweak)).to_pylist() == [plain]


@pytest.mark.parametrize(("sample", "key", "radix", "tweak", "plain", "cipher"), NIST_SAMPLES)
def test_reference_reproduces_nist(
    sample: int, key: str, radix: int, tweak: str, plain: str, cipher: str
) -> None:
    alphabet = DIGITS if radix == 10 else BASE36
    numerals = [alphabet.chars.index(ch) for ch in plain]
    out = reference_ff1(bytes.fromhex(key), radix, bytes.fromhex(tweak), numerals)
    assert "".join(alphabet.chars[k] for k in out) == cipher


# (radix, lengths): each radix at lengths that take the uint64 rounds (d = 8 and d = 12) and the wide
# 32-bit-limb rounds (radix**v > 2**56, d = 16 and beyond, tails over several blocks).
CASES = [
    (10, [6, 7, 9, 16, 19, 20, 21, 32, 33, 34, 40, 77]),
    (2, [20, 21, 64, 112, 113, 120, 180]),
    (36, [4, 5, 12, 20, 21, 22, 40]),
    (62, [4, 9, 18, 19, 20, 30]),
    (1000, [2, 3, 9, 10, 13, 30]),
    (65536, [2, 3, 7, 8, 15]),
]


@pytest.mark.parametrize(("radix", "lengths"), CASES)
@pytest.mark.parametrize("key_hex", [KEY_128, KEY_256])
def test_column_and_scalar_equal_reference(radix: int, lengths: list[int], key_hex: str) -> None:
    rng = random.Random(radix * 7919 + len(key_hex))
    key = bytes.fromhex(key_hex)
    if radix <= 62:
        chars = Alphabet.for_radix(radix).chars
    else:  # CJK (3-byte UTF-8) for radix 1000, supplementary planes (4-byte UTF-8) for radix 65536
        chars = "".join(chr((0x4E00 if radix < 20000 else 0x10000) + k) for k in range(radix))
    ff1 = FF1(key, Alphabet(chars))
    for n in lengths:
        tweak = bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 7, 10, 16, 30])))
        rows = [[rng.randrange(radix) for _ in range(n)] for _ in range(12)]
        expected = [reference_ff1(key, radix, tweak, x) for x in rows]
        assert [ff1.encrypt_numerals(x, tweak) for x in rows] == expected
        texts = ["".join(chars[k] for k in x) for x in rows]
        want = ["".join(chars[k] for k in y) for y in expected]
        assert encrypt_column(ff1, pa.array(texts), tweak, threads=1).to_pylist() == want
        assert decrypt_column(ff1, pa.array(want), tweak, threads=1).to_pylist() == texts
        assert [reference_ff1(key, radix, tweak, y, decrypt=True) for y in expected] == rows
