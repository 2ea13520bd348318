#!/usr/bin/env bash
# The scheduled jobs (deploy/systemd/tumorboard-daily.timer, tumorboard-notices.timer).
#   deploy/daily.sh nightly   verify signed decisions, apply retention, clear expired
#                             sessions and old lockout records, lay out the sections
#                             ahead, back up the database and the attachments' files
#                             (into BACKUP_DIR, default /var/lib/tumorboard/backups)
#   deploy/daily.sh notices   the e-mail notices
# Every job runs even when an earlier one failed; the exit status is 1 when any failed,
# and each failure is named on standard error (the journal).
set -uo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
failed=()

run() {
  echo "== $*"
  if ! "$python" manage.py "$@"; then
    echo "FAILED: manage.py $*" >&2
    failed+=("$1")
  fi
}

case "${1:-}" in
  nightly)
    run verify_decisions
    run prune_records
    run prune_db_task_results --min-age-days "${TASK_RESULT_DAYS:-30}"
    run clearsessions
    run axes_reset_logs --age "${LOCKOUT_LOG_DAYS:-90}"
    run lay_out_ahead
    backups=${BACKUP_DIR:-/var/lib/tumorboard/backups}
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    run backup --output "$backups/tumorboard-$stamp.dump"
    # The attachments' files live beside the database (MEDIA_ROOT): kept with its backup.
    if [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
      echo "== attachments ($MEDIA_ROOT)"
      (umask 077 && tar -C "$MEDIA_ROOT" -czf "$backups/tumorboard-$stamp-media.tar.gz" .) \
        || { echo "FAILED: attachments backup" >&2; failed+=(media); }
    fi
    ;;
  notices)
    run send_notices
    ;;
  *)
    echo "usage: deploy/daily.sh nightly|notices" >&2
    exit 2
    ;;
esac

if [ ${#failed[@]} -gt 0 ]; then
  echo "deploy/daily.sh $1: failed: ${failed[*]}" >&2
  exit 1
fi
