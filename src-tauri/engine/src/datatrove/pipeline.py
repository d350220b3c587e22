#!/usr/bin/env python3
"""A datatrove tokenization pipeline written by miStudio Datasets.

Every name, path and setting this run uses is read from pipeline.json beside this file: the
script itself is the same for every export, so no dataset name, repo id, path or column can
ever become code. README.md says how to run it on each executor and where the output goes.
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC_FILE = os.path.join(HERE, "pipeline.json")
SPEC_FORMAT = "mistudio-datatrove-export"
SPEC_VERSION = 1
RUN_FILE = "run.json"


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def load_spec():
    try:
        with open(SPEC_FILE, encoding="utf-8") as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {SPEC_FILE} ({e}): export the pipeline again from miStudio Datasets")
    if spec.get("format") != SPEC_FORMAT or spec.get("format_version") != SPEC_VERSION:
        fail(f"{SPEC_FILE} is not a version {SPEC_VERSION} miStudio Datasets export: export it again")
    return spec


def parse_args(spec):
    defaults = spec["executor_defaults"]
    p = argparse.ArgumentParser(
        description="Tokenize with datatrove; the output is adopted by miStudio Datasets "
        "(mistudio-cli datatrove adopt, or the Tokenization tab's Adopt a datatrove output).",
    )
    p.add_argument("--executor", choices=["local", "slurm", "ray"], default=defaults["executor"])
    p.add_argument("--tasks", type=int, default=defaults["tasks"],
                   help="parallel tasks (output files) per split; a rerun must keep the number")
    p.add_argument("--workers", type=int, default=defaults["workers"],
                   help="tasks running at once (default: local all tasks, slurm and ray no limit)")
    p.add_argument("--data-folder", default=spec.get("data_root"),
                   help="where the miStudio data folder is mounted on the machines that run the tasks")
    p.add_argument("--partition", default=defaults["partition"], help="slurm: the partition")
    p.add_argument("--time", default=defaults["time"], help="slurm: time limit per job (HH:MM:SS)")
    p.add_argument("--cpus-per-task", type=int, default=defaults["cpus_per_task"], help="slurm and ray")
    p.add_argument("--mem-per-cpu-gb", type=float, default=defaults["mem_per_cpu_gb"], help="slurm and ray")
    p.add_argument("--venv", default=defaults.get("venv"),
                   help="slurm: the virtualenv the jobs activate (default: this Python's)")
    p.add_argument("--ray-address", default=defaults.get("ray_address"),
                   help="ray: the cluster to join (default: RAY_ADDRESS, else a local cluster)")
    args = p.parse_args()
    if args.tasks < 1:
        fail("--tasks must be 1 or more")
    if args.workers is not None and args.workers < 1:
        fail("--workers must be 1 or more")
    if args.executor == "slurm" and not args.partition:
        fail("the slurm executor needs --partition")
    return args


def check_datatrove(spec):
    from importlib.metadata import PackageNotFoundError, version

    wanted = spec["datatrove_version"]
    try:
        have = version("datatrove")
    except PackageNotFoundError:
        have = None
    if have != wanted:
        found = f"datatrove {have} is installed" if have else "datatrove is not installed"
        fail(f"this pipeline was written for datatrove {wanted} and {found}: "
             f"pip install 'datatrove=={wanted}' pyarrow tokenizers")


def in_here(relative):
    return os.path.join(HERE, *relative.split("/"))


def claim_output(split, tasks):
    """A rerun resumes the first run (datatrove skips finished tasks): it must keep its tasks."""
    out = in_here(split["output"])
    os.makedirs(out, exist_ok=True)
    run_file = os.path.join(out, RUN_FILE)
    if os.path.exists(run_file):
        with open(run_file, encoding="utf-8") as f:
            earlier = json.load(f)
        if earlier.get("tasks") != tasks:
            fail(f"split {split['name']!r} was started with {earlier.get('tasks')} tasks; rerun with "
                 f"--tasks {earlier.get('tasks')} to resume it, or delete {out} and "
                 f"{in_here(split['logs'])} to start over")
        return
    with open(run_file + ".tmp", "w", encoding="utf-8") as f:
        json.dump({"tasks": tasks, "split": split["name"]}, f)
    os.replace(run_file + ".tmp", run_file)


def paths_file_for(split, tasks):
    """datatrove gives task r the listed files r, r + tasks, r + 2 * tasks, ...: listed in this
    order, each task reads a contiguous run of the split's files, so task order is file order."""
    files = split["input"]["files"]
    if any("\n" in f or "\r" in f for f in files):
        fail(f"a file name of split {split['name']!r} holds a line break, which datatrove's file lists cannot")
    order = [None] * len(files)
    start = 0
    for rank in range(min(tasks, len(files))):
        size = (len(files) - rank + tasks - 1) // tasks
        for k in range(size):
            order[rank + k * tasks] = files[start + k]
        start += size
    path = os.path.join(in_here(split["output"]), "paths.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(name + "\n" for name in order))
    return path


def reader_for(split, spec, args):
    from datatrove.pipeline import readers

    source = split["input"]
    column = spec["text_column"]
    paths_file = paths_file_for(split, args.tasks)
    if source["reader"] == "ipc":
        if not args.data_folder:
            fail("this export reads the miStudio data folder: give --data-folder")
        folder = os.path.join(args.data_folder, *source["folder"].split("/"))
        if not os.path.isdir(folder):
            fail(f"{folder} does not exist: give --data-folder where the data folder is mounted")
        return readers.IpcReader(folder, paths_file=paths_file, text_key=column)
    by_kind = {"parquet": readers.ParquetReader, "jsonl": readers.JsonlReader, "csv": readers.CSVReader}
    return by_kind[source["reader"]](source["url"], paths_file=paths_file, text_key=column)


def executor_for(pipeline, split, index, args):
    logs = in_here(split["logs"])
    if args.executor == "local":
        from datatrove.executor import LocalPipelineExecutor

        return LocalPipelineExecutor(pipeline=pipeline, tasks=args.tasks,
                                     workers=args.workers or -1, logging_dir=logs)
    if args.executor == "slurm":
        from datatrove.executor import SlurmPipelineExecutor

        return SlurmPipelineExecutor(
            pipeline=pipeline, tasks=args.tasks, workers=args.workers or -1,
            time=args.time, partition=args.partition, cpus_per_task=args.cpus_per_task,
            mem_per_cpu_gb=args.mem_per_cpu_gb, job_name=f"mistudio-tokenize-{index}",
            venv_path=args.venv or sys.prefix, logging_dir=logs,
            slurm_logs_folder=os.path.join(logs, "slurm"),
        )
    from datatrove.executor import RayPipelineExecutor

    return RayPipelineExecutor(pipeline=pipeline, tasks=args.tasks, workers=args.workers or -1,
                               logging_dir=logs, cpus_per_task=args.cpus_per_task,
                               mem_per_cpu_gb=args.mem_per_cpu_gb)


def main():
    spec = load_spec()
    args = parse_args(spec)
    check_datatrove(spec)
    from datatrove.pipeline.tokens import DocumentTokenizer

    tokenizer_file = in_here(spec["tokenizer"]["file"])
    if args.executor == "ray":
        import ray

        address = args.ray_address or os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address)
        else:
            ray.init()
    for index, split in enumerate(spec["splits"]):
        claim_output(split, args.tasks)
        pipeline = [
            reader_for(split, spec, args),
            # The tokenizer file carries the special tokens around each document (the
            # document-end token included), so datatrove's own EOS option stays off.
            DocumentTokenizer(
                output_folder=in_here(split["output"]),
                tokenizer_name_or_path=tokenizer_file,
                eos_token=None,
                shuffle_documents=False,
                save_final_metadata=True,
                batch_size=spec["batch_size"],
            ),
        ]
        executor = executor_for(pipeline, split, index, args)
        print(f"split {split['name']!r}: {args.tasks} tasks, output in {in_here(split['output'])}",
              file=sys.stderr)
        executor.run()
    if args.executor == "slurm":
        print("submitted: when every job has finished, adopt this folder in miStudio Datasets",
              file=sys.stderr)
    else:
        print("done: adopt this folder in miStudio Datasets", file=sys.stderr)


if __name__ == "__main__":
    main()
