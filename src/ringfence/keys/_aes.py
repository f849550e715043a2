"""AES as a raw block primitive over NumPy matrices of 16-byte blocks.

FF1 (SP 800-38G) and CMAC (SP 800-38B) are both built on ``CIPH_K``, the AES block function. Encrypting
each block on its own is what ECB mode does, so one ``cryptography`` ECB call applies ``CIPH_K`` to every
block of a whole batch at once; the modes themselves are implemented around it, never ECB on data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ringfence.errors import UsageError
from ringfence.keys.holder import KeyHolder

Blocks = npt.NDArray[np.uint8]


class BlockCipher(KeyHolder):
    """``CIPH_K`` for one AES key: encrypts rows of 16 bytes independently. Holds the key; never pickled."""

    __slots__ = ("_cipher",)

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise UsageError(f"an AES key must be 16, 24 or 32 bytes, not {len(key)}")
        # ECB is used only as the single-block function CIPH_K of the specifications, never on data.
        self._cipher = Cipher(algorithms.AES(bytes(key)), modes.ECB())  # noqa: S305

    @property
    def key_bits(self) -> int:
        """128, 192 or 256."""
        return int(self._cipher.algorithm.key_size)

    def encrypt_blocks(self, blocks: npt.NDArray[np.generic]) -> Blocks:
        """``CIPH_K`` of every 16-byte row of a C-contiguous matrix; returns an ``(n, 16)`` uint8 matrix."""
        raw = np.ascontiguousarray(blocks).view(np.uint8).reshape(-1)
        if raw.size % 16:
            raise UsageError("AES input is not a whole number of 16-byte blocks")
        out = np.empty(raw.size + 15, dtype=np.uint8)
        if raw.size:
            self._cipher.encryptor().update_into(raw.data, out.data)
        return out[: raw.size].reshape(-1, 16)

    def encrypt_into(self, blocks: npt.NDArray[np.generic], out: Blocks) -> None:
        """``CIPH_K`` of every 16-byte row of C-contiguous ``blocks`` into ``out`` (15 bytes longer)."""
        self._cipher.encryptor().update_into(blocks.view(np.uint8).reshape(-1).data, out.data)

    def block_function(self) -> Callable[[bytes], bytes]:
        """``CIPH_K`` on whole blocks as a function of bytes, for one thread's scalar work."""
        update: Callable[[bytes], bytes] = self._cipher.encryptor().update
        return update

    def encrypt_block(self, block: bytes) -> bytes:
        """``CIPH_K`` of one 16-byte block."""
        return self.encrypt_blocks(np.frombuffer(block, dtype=np.uint8).reshape(1, 16)).tobytes()

    def __repr__(self) -> str:
        return f"BlockCipher(aes-{self.key_bits})"
