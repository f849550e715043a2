"""Realistic customer rows (Chinese and Korean names, addresses, phone numbers) for the io tests."""

from __future__ import annotations

import polars as pl
import pytest

# A distinctive fake value planted in bad files: an error message must never repeat it.
FAKE_PHONE = "+86 139 5555 0123"


def customers(n: int = 40) -> pl.DataFrame:
    """``n`` customer rows in text columns, the way a payment company exports them."""
    names = ["张伟", "王芳", "李娜", "김민준", "이서연", "박지훈", "刘洋", "최수아"]
    addresses = [
        "北京市朝阳区建国路88号",
        "上海市浦东新区世纪大道100号, 3楼",
        '广东省深圳市南山区"科技园"南路',
        "서울특별시 강남구 테헤란로 123",
        "부산광역시 해운대구\n해운대로 45",
        "대구광역시 중구 동성로 7; 2층",
        "浙江省杭州市西湖区|文三路",
        "인천광역시 연수구 송도동 24-1",
    ]
    phones = ["+86 138 1234 5678", "010-9876-5432", "13912345678", "+82 10-5555-1212"]
    return pl.DataFrame(
        {
            "customer_id": [f"{i:08d}" for i in range(n)],
            "name": [names[i % len(names)] for i in range(n)],
            "address": [addresses[i % len(addresses)] for i in range(n)],
            "phone": [phones[i % len(phones)] for i in range(n)],
            "amount": [f"{(i * 37 % 1000) - 500}.{i % 100:02d}" for i in range(n)],
            "note": [None if i % 5 == 0 else ("" if i % 7 == 0 else f"order {i}") for i in range(n)],
        }
    )


@pytest.fixture
def rows() -> pl.DataFrame:
    return customers()
