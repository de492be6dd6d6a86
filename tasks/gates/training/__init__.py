"""Offline training of the gates' learned stages: the scripts that build `tasks/gates/artefacts/` and
the labelled cases they read (`data/`).

Training imports the runtime gates (it must featurise exactly as they score); nothing outside this
package imports it, so a pipeline run never loads a training script or the cases it was trained on.
"""
