"""Column transforms for de-identification (FF1, keyed-digest tokens, masking...), each a columnar kernel."""
