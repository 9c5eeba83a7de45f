from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEEDS = {
    "jstg": CORPUS / "gd-2023-zwfw-jstg.md",  # 政务服务建设推广
    "gl": CORPUS / "gd-2023-zwxt-gl.md",  # 政务系统管理
    "ww": CORPUS / "gd-2023-dzzw-ww.md",  # 电子政务外网网络管理
}


@pytest.fixture(scope="session")
def seed_paths():
    return SEEDS
