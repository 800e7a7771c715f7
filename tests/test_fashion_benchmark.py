"""benchmarks/fashion_conditional.py's command and the RESULTS.md section its rows make."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
import fashion_conditional  # noqa: E402
import quality  # noqa: E402


def test_the_training_command_counts_the_studys_steps():
    command = fashion_conditional.train_command("biggan", "runs/x", 0)
    value = {flag: command[i + 1] for i, flag in enumerate(command[:-1]) if flag.startswith("--")}
    steps = int(value["--epochs"]) * int(value["--steps-per-epoch"])
    assert steps == 15625 and value["--batch-size"] == "64" and value["--image-size"] == "28"
    assert value["--data"] == "fashion_mnist" and "--overwrite" not in command  # resumes


def test_results_show_the_fashion_rows(tmp_path):
    path = tmp_path / "fashion_results.jsonl"
    assert quality.fashion_section(str(path)) == []  # no file: no section
    row = {"model": "biggan", "steps": 15625, "standing": True, "num": 10000, "fid": 31.234,
           "kid": 0.0123, "class_accuracy": 0.8766, "judge_test_accuracy": 0.9, "eval_seconds": 600,
           "command": "keras-gans train biggan", "date": "2026-12-01",
           "machine": {"cores": 2, "cpu": "x", "load_average": [1.5, 1.0, 1.0]}}
    path.write_text(json.dumps(row) + "\n" + json.dumps(dict(row, fid=40.0, standing=False)) + "\n")
    lines = quality.fashion_section(str(path))
    table = [line for line in lines if line.startswith("| `biggan`")]
    assert len(table) == 2
    assert "| 31.23 |" in table[0] and "| 0.877 |" in table[0] and "| yes |" in table[0]
    assert "| 40.00 |" in table[1] and "| no |" in table[1] and "load 1.5" in table[1]
