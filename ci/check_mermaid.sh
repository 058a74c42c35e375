#!/usr/bin/env bash
# Render every Mermaid block of the Markdown plans with the Mermaid CLI: the shipped stacks'
# plans and one diff (a dropped condition and a renamed service, which gain, lose and weaken
# access edges). A block GitHub would show as "Unable to render" fails the check here.
#
# Installs what it needs itself: @mermaid-js/mermaid-cli from npm into .cache/mermaid-cli
# (without Puppeteer's own browser download) and Debian's chromium with apt when it is missing.
# Usage: bash ci/check_mermaid.sh   (from anywhere; CHROMIUM=/path overrides the browser)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MERMAID_CLI_VERSION=11.17.0 # works with Node 20, the version Debian 12 ships
PREFIX="$ROOT/.cache/mermaid-cli"
MMDC="$PREFIX/node_modules/.bin/mmdc"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

fail() {
  echo "check_mermaid: $*" >&2
  exit 1
}

if [ ! -x "$CHROMIUM" ]; then
  if command -v apt-get > /dev/null && [ "$(id -u)" = 0 ]; then
    echo "check_mermaid: installing Debian's chromium (apt-get) ..."
    apt-get update -qq > /dev/null || fail "apt-get update failed; install chromium by hand"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null \
      || fail "apt-get install chromium failed; install it, or set CHROMIUM=/path/to/chrome"
  else
    fail "no browser at $CHROMIUM: install Debian's chromium (apt-get install chromium) or set CHROMIUM"
  fi
fi
command -v npm > /dev/null || fail "npm is not installed (Node.js 18 or newer is needed)"

installed=$(cat "$PREFIX/node_modules/@mermaid-js/mermaid-cli/package.json" 2> /dev/null \
  | sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' | head -n 1 || true)
if [ ! -x "$MMDC" ] || [ "$installed" != "$MERMAID_CLI_VERSION" ]; then
  echo "check_mermaid: installing @mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION into $PREFIX ..."
  mkdir -p "$PREFIX"
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$PREFIX" --no-audit --no-fund --silent \
    "@mermaid-js/mermaid-cli@$MERMAID_CLI_VERSION" > "$PREFIX/npm.log" 2>&1 \
    || fail "npm install failed (see $PREFIX/npm.log)"
fi

# The project's environment (python3 tasks.py test creates it); PYTHON overrides it.
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || fail "no Python environment at $PY: run python3 tasks.py test first, or set PYTHON"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf '{"executablePath": "%s", "args": ["--no-sandbox", "--disable-gpu"]}\n' "$CHROMIUM" \
  > "$WORK/puppeteer.json"

# A copy of the project, so that the diff's edit never touches the checkout.
mkdir "$WORK/project" "$WORK/md" "$WORK/out"
cp Pulumi.yaml __main__.py .env.example "$WORK/project/"
cp -r stacks services "$WORK/project/"
plan() {
  (cd "$WORK/project" && PYTHONPATH="$ROOT/components" "$PY" -m private_serverless plan "$@")
}
for stack in dev staging prod; do
  code=0
  plan --stack "$stack" --env-file .env.example --format markdown --out "$WORK/md/$stack.md" \
    2> "$WORK/plan.log" || code=$?
  # 1 is a mandatory finding (the plan is still written); anything else is a failure.
  if [ "$code" -gt 1 ] || [ ! -s "$WORK/md/$stack.md" ]; then
    cat "$WORK/plan.log" >&2
    fail "plan of stack $stack failed (exit $code)"
  fi
done
plan --stack dev --env-file .env.example --format json --out "$WORK/base.json" 2> /dev/null \
  || fail "plan of stack dev (the diff's base) failed"
stack_file="$WORK/project/stacks/Pulumi.dev.yaml"
sed -i -e '/^      access:$/{N;/billing-dev-client/d;}' \
  -e 's/^    api:$/    gateway:/' "$stack_file"
plan --stack dev --env-file .env.example --against "$WORK/base.json" --format markdown \
  --out "$WORK/md/dev-diff.md" 2> "$WORK/plan.log" \
  || { cat "$WORK/plan.log" >&2; fail "plan --against of the edited dev stack failed"; }
grep -q '```mermaid' "$WORK/md/dev-diff.md" || fail "the diff has no Mermaid graph of access changes"

blocks=0
for md in "$WORK"/md/*.md; do
  name=$(basename "$md" .md)
  count=$(grep -c '^```mermaid' "$md" || true)
  [ "$count" -gt 0 ] || continue
  blocks=$((blocks + count))
  mkdir "$WORK/out/$name"
  if ! "$MMDC" --quiet -p "$WORK/puppeteer.json" -i "$md" -o "$WORK/out/$name/$name.md" \
    > "$WORK/mmdc.log" 2>&1; then
    cat "$WORK/mmdc.log" >&2
    if grep -q "Failed to launch the browser" "$WORK/mmdc.log"; then
      fail "the browser at $CHROMIUM could not be started (error above); set CHROMIUM"
    fi
    echo "--- the Mermaid blocks of the $name plan:" >&2
    awk '/^```mermaid/{on=1} on{print} /^```$/{on=0}' "$md" >&2
    fail "a Mermaid block of the $name plan does not render (error and blocks above)"
  fi
  svgs=$(find "$WORK/out/$name" -name '*.svg' | wc -l)
  [ "$svgs" -eq "$count" ] || fail "$name: $count Mermaid blocks, $svgs rendered"
done
[ "$blocks" -gt 0 ] || fail "no Mermaid block found in the plans"
echo "check_mermaid: $blocks Mermaid blocks rendered (stacks dev, staging, prod and one diff)"
