"""The benchmark behind ``rnnlens bench``: rnnlens against raw PyTorch and Keras, same sizes.

Layout: :mod:`.workloads` (the model sizes and their FLOP counts, no torch), :mod:`.engines`
(one builder per framework), :mod:`.timing` (interleaved medians), :mod:`.memory` (peak
memory in a fresh process), :mod:`.machine` (CPU, threads, measured GEMM peak),
:mod:`.coldstart` (``rnnlens explain`` versus ``import keras``), :mod:`.runner` (the whole
run) and :mod:`.report` (the Markdown of ``docs/benchmarks.md``).
"""
