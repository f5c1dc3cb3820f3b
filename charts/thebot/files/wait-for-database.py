"""The migration job's init container: wait until the database accepts TCP connections (no credential)."""
import os
import socket
import time

address = (os.environ["DATABASE_HOST"], int(os.environ["DATABASE_PORT"]))
while True:
    try:
        socket.create_connection(address, timeout=3).close()
        break
    except OSError as error:
        print(f"waiting for the database at {address[0]}:{address[1]}: {error}", flush=True)
        time.sleep(2)
