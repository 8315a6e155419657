"""Training: compile/fit/evaluate, callbacks, progress, checkpoints, distributed data parallel."""
