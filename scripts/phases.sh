# Sourced by scripts/test and scripts/check: `phase NAME COMMAND...` runs COMMAND and notes how
# long it took; when the script ends (passed, failed or stopped) each phase's duration is printed,
# so every run writes down where its time went.
_phase_names=()
_phase_seconds=()
_phase_running=""
_phase_running_since=$SECONDS
_phase_started=$SECONDS

phase() {
  local name=$1
  shift
  _phase_running=$name _phase_running_since=$SECONDS
  "$@"
  _phase_names+=("$name")
  _phase_seconds+=($((SECONDS - _phase_running_since)))
  _phase_running=""
}

_phase_clock() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

_phase_report() {
  local status=$? i
  {
    echo
    echo "scripts/$(basename "$0"): time by phase (m:ss)"
    for i in "${!_phase_names[@]}"; do
      printf '  %-34s %6s\n' "${_phase_names[$i]}" "$(_phase_clock "${_phase_seconds[$i]}")"
    done
    if [[ -n $_phase_running ]]; then
      printf '  %-34s %6s  did not finish\n' "$_phase_running" \
        "$(_phase_clock $((SECONDS - _phase_running_since)))"
    fi
    printf '  %-34s %6s  exit %d\n' "total" "$(_phase_clock $((SECONDS - _phase_started)))" "$status"
  } >&2
  return "$status"
}
trap _phase_report EXIT
