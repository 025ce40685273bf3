"""`make demo`: Clausewatch offline on real policy histories (demo/run.py), and the WARC
builder and pywb launcher it shares with tests/e2e and the benches (demo/warcs.py,
demo/pywb.py)."""
