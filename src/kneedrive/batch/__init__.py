"""`kneedrive batch`: a folder of clips (videos and keypoint files mixed) analyzed on a Dask cluster.

The flow, one module per step:

- `inputs`: the command's INPUTS (files, folders, globs) as input files, and the athlete map
  (file or pattern -> athlete, height, drill, capture rate);
- `jobs`: one frozen `ClipJob` per input (its content hash, its options, its output folder's name) and the
  key that says whether a folder already holds that analysis;
- `clip`: what a worker runs for one job: analyze, write the output folder whole (a temporary folder
  renamed into place, the manifest written last), or report the one-line error;
- `cluster`: the jobs on dask.distributed (a LocalCluster, or an existing scheduler), the pose model
  loaded once per worker;
- `sessions`: each finished clip a session of its athlete in the workspace store, added by the command's
  own process (never by a worker), once;
- `kneedrive.report.squad`: the squad table and page from the finished folders.

Nothing here imports Dask at import time except `cluster`, which only the command loads.
"""
