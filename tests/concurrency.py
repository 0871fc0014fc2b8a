"""Run jobs on real threads, each with its own database connection, released together."""

import queue
import threading

from django.db import connection, connections

THREADS = 64


def run_together(jobs, threads=THREADS):
    """Run the jobs on `threads` threads, each with its own connection, released by one barrier."""
    work = queue.Queue()
    for job in jobs:
        work.put(job)
    start = threading.Barrier(threads, timeout=60)
    errors = []

    def worker():
        try:
            start.wait()
            while True:
                try:
                    job = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    job()
                except Exception as error:  # collected and asserted on by the test
                    errors.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=300)
    connections.close_all()
    return errors
