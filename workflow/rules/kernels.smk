# Numba kernels are compiled once per kernel module, before the training jobs that use them.


rule compile_kernel:
    """Compile one Numba kernel module once, so parallel training jobs load it from the cache."""
    input:
        package_files("kernels/{kernel}.py"),
    output:
        "results/.kernels/{kernel}.txt",
    log:
        "logs/compile_kernel_{kernel}.log",
    conda:
        "../envs/implicit_bias.yaml"
    script:
        "../scripts/compile_kernels.py"
