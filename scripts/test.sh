#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine that has only the .NET SDK and Node: installs what the tests need
# (Debian's chromium for the browser tests, python3-onnx for onnx.checker, python3-venv and pip's pyarrow and pandas
# for the independent Parquet checks, the js/ packages, and a PostgreSQL server for the PostgreSQL store tests), runs every test project
# and ends with "N passed, N failed". Extra arguments go to `dotnet test` (CI passes --no-build after its own build).
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "test.sh: Node.js 20 with npm is required (the JavaScript and ONNX suites run in Node)" >&2; exit 1; }

# Debian packages. Playwright drives /usr/bin/chromium and never downloads a browser.
need=""
for p in chromium python3-onnx python3-venv; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "test.sh: needs$need from Debian; run as root or install them first" >&2; exit 1; }
    SUDO="sudo"
  fi
  echo "== apt-get install$need"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need || exit 1
fi
# Installed above, so the checks that need python3-onnx fail rather than skip if it is still missing.
export EXANIA_REQUIRE_PYTHON_ONNX=1

# pyarrow and pandas, the independent Parquet reader and writer, in a virtual environment of the repository's own
# (.venv-test, ignored by git): installed with pip here, never by the tests. Where pip cannot reach its registry the
# pyarrow tests are skipped, with the reason in the test output; a caller that sets EXANIA_REQUIRE_PYARROW=1 makes
# that a failure.
venv=.venv-test
python=/usr/bin/python3
[ -x "$python" ] || python=$(command -v python3)
if ! "$venv/bin/python" -c "import pyarrow, pandas" >/dev/null 2>&1; then
  echo "== pip install pyarrow pandas (into $venv)"
  if "$python" -m venv "$venv" && "$venv/bin/pip" install --quiet --retries 1 --timeout 30 pyarrow pandas; then
    :
  else
    echo "test.sh: could not install pyarrow and pandas with pip; the pyarrow Parquet tests will be skipped" >&2
  fi
fi
if "$venv/bin/python" -c "import pyarrow, pandas" >/dev/null 2>&1; then
  export EXANIA_PYARROW_PYTHON="$PWD/$venv/bin/python" EXANIA_REQUIRE_PYARROW=1
fi

if [ ! -d js/node_modules/onnxruntime-web ] || [ ! -d js/node_modules/onnxruntime-node ]; then
  echo "== npm ci (js/: onnxruntime-node, onnxruntime-web)"
  (cd js && npm ci --ignore-scripts --no-audit --no-fund) || exit 1
fi

# A throwaway PostgreSQL server for the PostgreSQL event-store tests (scripts/postgres.sh: Debian's package, a new
# cluster in a temporary folder, on 127.0.0.1 only), stopped and removed when this script ends, however it ends. Where
# the package cannot be installed those tests are skipped, with the reason in the test output.
source scripts/postgres.sh
trap exania_postgres_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
exania_postgres_start || true

echo "== dotnet test Exania.slnx $*"
log=$(mktemp)
dotnet test Exania.slnx "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project summaries: "Passed!  - Failed:     0, Passed:    78, Skipped: ..."
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
projects=$(grep -Ec '^(Passed|Failed)! ' "$log")
expected=$(ls tests/*/*.csproj | wc -l)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # a test host crashed or a project did not build: never report a clean run
fi
if [ "$projects" -lt "$expected" ]; then
  echo "test.sh: only $projects of $expected test projects reported results" >&2
  [ "$failed" -eq 0 ] && failed=1
fi
rm -f "$log"
[ -f artifacts/browser/demo.png ] && echo "artifact: artifacts/browser/demo.png (screenshot of the demo page in Chromium)"
ls artifacts/browser/dashboard-*.png >/dev/null 2>&1 && echo "artifacts: artifacts/browser/dashboard-*.png (the four dashboard pages in Chromium)"
ls artifacts/browser/report-*.png >/dev/null 2>&1 && echo "artifacts: artifacts/browser/report-*.png and report-click.pdf (each kind of HTML report in Chromium, and printed)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
