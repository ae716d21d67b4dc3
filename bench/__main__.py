"""`make bench`: every benchmark, results written to bench/results/*.md."""

from bench import bench_build, bench_load

if __name__ == "__main__":
    import sys

    for module in (bench_load, bench_build):
        sys.argv = [module.__name__]
        module.main()
