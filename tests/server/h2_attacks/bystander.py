"""Another client, answered while the attack runs: curl --http2 asks for a page over and over,
each time on a new connection (so the server's accept and TLS handshake are tested too), from
just before the attack until after the server has dealt with the offender."""

import subprocess
import threading


class Bystander:
    def __init__(self, host, port, servername, path="/"):
        self.command = [
            "curl", "--http2", "-sk", "--max-time", "5", "-o", "/dev/null",
            "-w", "%{http_code} %{http_version}",
            "--resolve", "%s:%d:%s" % (servername, port, host),
            "https://%s:%d%s" % (servername, port, path)]
        self.answers = []  # "200 2" per request: status and HTTP version
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def ask(self):
        done = subprocess.run(self.command, capture_output=True, text=True)
        self.answers.append(done.stdout.strip() or "failed(exit %d)" % done.returncode)

    def _run(self):
        # A pause between requests: the machine's few cores belong to the server under test.
        while not self._stop.wait(0.05):
            self.ask()

    def start(self):
        self._thread.start()

    def finish(self):
        """Stops the loop, then asks once more: the server must still answer after the attack."""
        self._stop.set()
        self._thread.join()
        self.ask()

    def report(self):
        statuses = [a.split(" ")[0] for a in self.answers]
        versions = [a.split(" ")[1] if " " in a else "-" for a in self.answers]
        return "BYSTANDER answers=%d statuses=%s versions=%s" % (
            len(self.answers), ",".join(statuses), ",".join(versions))
