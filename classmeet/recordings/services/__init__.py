"""Recordings' services, a module per concern; import the one you need.

- files: where recordings live on disk, the storage quota and the disk's reserve;
- capture: start, append the browser's chunks, stop (Janus records in SFU mode), tell the room;
- processing: make one seekable WebM of what was recorded (ffmpeg, janus-pp-rec);
- housekeeping: rename, delete, retention, abandoned recordings and lost processing jobs.
"""
