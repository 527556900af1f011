import requests

from my_service.server import serve_in_background


def test_health_answers_ok():
    server = serve_in_background()
    try:
        host, port = server.server_address[:2]
        response = requests.get("http://{}:{}/health".format(host, port), timeout=5)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
    finally:
        server.shutdown()
