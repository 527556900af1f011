"""Start the service, check /health with requests, report, stop."""

import sys

import requests
import urllib3

from my_service.server import serve_in_background


def main() -> int:
    server = serve_in_background()
    try:
        host, port = server.server_address[:2]
        url = "http://{}:{}/health".format(host, port)
        response = requests.get(url, timeout=5)
        print("GET {} -> {} {}".format(url, response.status_code, response.json()))
        print("requests {} (urllib3 {}) on Python {}".format(requests.__version__, urllib3.__version__, sys.version.split()[0]))
        return 0 if response.ok else 1
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
