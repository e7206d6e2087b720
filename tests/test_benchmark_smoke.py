"""The benchmark machinery at a tiny scale, so that it cannot rot (no timing assertions here:
speed is measured by `make benchmark`, not by tests)."""

from __future__ import annotations

from benchmarks import generate_national, run


def test_generator_writes_the_real_formats_deterministically(tmp_path):
    first = generate_national.generate(tmp_path / "a", gemeenten=2)
    second = generate_national.generate(tmp_path / "b", gemeenten=2)
    assert first.gemeenten == 2
    assert (first.wijken, first.buurten) == (second.wijken, second.buurten)
    for relative in ("geo/wijken.geojson", "cbs/85984NED/TypedDataSet.json",
                     "cbs/03759ned/TypedDataSet.json"):
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()
    assert first.buurten > first.wijken >= 100


def test_national_counts_are_national():
    counts = generate_national.wijk_counts(generate_national.GEMEENTEN,
                                           generate_national.random.Random(generate_national.SEED))
    assert len(counts) == 342
    assert 3200 <= sum(counts) <= 3400
    assert max(counts) == counts[0] == generate_national.LARGEST_GEMEENTE_WIJKEN


def test_benchmark_runs_at_tiny_scale(tmp_path, monkeypatch):
    monkeypatch.delenv("KINDKAART_DB", raising=False)
    output = tmp_path / "latest.md"
    code = run.main(["--gemeenten", "2", "--repeats", "1", "--no-cache", "--output", str(output),
                     "--only", "transforms,payload,interaction,upload"])
    assert code == 0
    text = output.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Resultaten", "kernen", "Python", "streamlit "):
        assert heading in text
    for measurement in ("| Transformaties |", "| Kaartgegevens |", "| Interactie |"):
        assert measurement in text
    assert "Nederland, alle wijken" in text
    assert "| Upload |" in text or "upload:" in text
