"""Line managers: who manages whom (set by HR and the records API), and the manager's
view of their direct reports' learning (/my-team/)."""
