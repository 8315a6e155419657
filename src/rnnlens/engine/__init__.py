"""The torch side: modules built from layer specs, the fused and the reference recurrent paths."""
