"""ringfence benchmarks: `python -m bench [NAME ...]` runs them and updates bench/RESULTS.md."""
