"""What every screen shares: its failed workers reach the app's one error handler."""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from tui.messages import Failed


class ReportsWorkerErrors:
    """Mixed into screens: Worker.StateChanged does not bubble, so forward failures to the app.

    The app turns them into one Norwegian line and logs the stack (tui.errors).
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.app.post_message(Failed(worker.error))  # type: ignore[attr-defined]
