#!/usr/bin/env bash
# Check RTF table files the way a clinical study report is checked: open each one in a real
# reader (LibreOffice Writer, headless), print it to PDF, render the pages to PNG for a person (or
# an image viewer) to look at, extract the text and require the expected strings in it.
#
# Usage:
#   bash tests/rtf/check.sh OUTDIR FILE.rtf [--expect TEXT]... [FILE2.rtf [--expect TEXT]...]...
#
#   OUTDIR          where the PDF, PNG pages and text go (created if missing):
#                     OUTDIR/NAME.pdf, OUTDIR/NAME-<page>.png, OUTDIR/NAME.txt
#                   (NAME = the RTF's file name without .rtf; two FILEs with one NAME are refused)
#   --expect TEXT   applies to the FILE before it; may be given several times. TEXT must occur in
#                   the text that `pdftotext -layout` extracts, after runs of whitespace are
#                   collapsed to one space on both sides (so column padding and line ends do not
#                   matter). UTF-8 is fine: \u8804? comes back as "≤". The layout text goes line
#                   by line across the page, so the lines of a cell that wraps (or has \line) are
#                   interleaved with the other columns: expect what stands on one line.
#
#   e.g. bash tests/rtf/check.sh target/rtf t14.rtf --expect "Table 14.1" --expect "≤ 65" \
#                                            t15.rtf --expect "Placebo"
#
# A FILE fails (message "FAIL: FILE: ..." on stderr) when it does not start with {\rtf, LibreOffice's
# RTF reader makes no PDF of it (it refuses a file whose final closing brace is missing), the PDF
# has zero pages or no text (a table whose last row lacks \row loses the whole document), or an
# --expect TEXT is missing. Every FILE is checked; the exit status is 1 if any failed, 2 on a usage
# error, 0 otherwise.
#
# Not seen here: LibreOffice 7.4 ignores \trhdr, so header rows are not repeated on later pages of
# the PDF (Word repeats them); and it drops, silently, a \cell beyond the row's \cellx count.
#
# Installs what it needs if missing (nothing is installed by hand): Debian's
# libreoffice-writer-nogui (libreoffice-writer where the release has no -nogui package) and
# poppler-utils (pdfinfo, pdftoppm, pdftotext), plus fonts-liberation2 (metric-compatible Times New
# Roman / Arial / Courier New) if fontconfig knows no Liberation font. `apt-get update` runs only if
# the install fails without it. Needs root (CI and the dev machines run as root).
#
# Each run uses its own LibreOffice user profile (a temp dir, removed at exit), so runs in CI or in
# parallel do not collide with each other or with a desktop LibreOffice.
# Environment: RTF_CHECK_TIMEOUT (seconds per conversion, default 180).
set -euo pipefail

usage() {
    sed -n '6,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    echo "(see the header of ${BASH_SOURCE[0]} for details)" >&2
    exit 2
}

# ---------------------------------------------------------------- arguments
[ "$#" -ge 2 ] || usage
outdir="$1"
shift
files=()     # FILE paths, in order
exp_file=()  # exp_file[k]: index into files of the FILE that --expect exp_text[k] belongs to
exp_text=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        --expect)
            [ "$#" -ge 2 ] || { echo "check.sh: --expect needs a TEXT" >&2; usage; }
            [ "${#files[@]}" -gt 0 ] || { echo "check.sh: --expect before any FILE" >&2; usage; }
            [ -n "$2" ] || { echo "check.sh: --expect TEXT is empty" >&2; usage; }
            exp_file+=("$(( ${#files[@]} - 1 ))")
            exp_text+=("$2")
            shift 2
            ;;
        --expect=*)
            echo "check.sh: write --expect TEXT (two arguments), not --expect=TEXT" >&2
            usage
            ;;
        -h|--help) usage ;;
        -*) echo "check.sh: unknown option $1" >&2; usage ;;
        *) files+=("$1"); shift ;;
    esac
done
[ "${#files[@]}" -gt 0 ] || { echo "check.sh: no FILE given" >&2; usage; }

declare -A seen_name=()
for f in "${files[@]}"; do
    [ -f "$f" ] || { echo "check.sh: no such file: $f" >&2; exit 2; }
    name="$(basename "$f")"
    name="${name%.*}"
    if [ -n "${seen_name[$name]:-}" ]; then
        echo "check.sh: $f and ${seen_name[$name]} would both write $outdir/$name.pdf" >&2
        exit 2
    fi
    seen_name[$name]="$f"
done

mkdir -p "$outdir"
outdir="$(cd "$outdir" && pwd)"

# ---------------------------------------------------------------- tools
# Prints the first of the given Debian packages that apt knows a candidate version of.
first_available_pkg() {
    local p
    for p in "$@"; do
        # (here-strings, not `cmd | grep -q`: with pipefail, grep -q quitting early makes the
        # writer die of SIGPIPE and the pipeline fail)
        if grep -q '^ *Candidate: [^(]' <<< "$(apt-cache policy "$p" 2>/dev/null)"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# Prints the packages still needed (empty if none).
missing_pkgs() {
    local pkgs=()
    if ! command -v soffice > /dev/null 2>&1; then
        pkgs+=("$(first_available_pkg libreoffice-writer-nogui libreoffice-writer || echo libreoffice-writer)")
    fi
    local t
    for t in pdfinfo pdftoppm pdftotext; do
        if ! command -v "$t" > /dev/null 2>&1; then
            pkgs+=(poppler-utils)
            break
        fi
    done
    if ! grep -qi liberation <<< "$(fc-list : family 2>/dev/null || true)"; then
        pkgs+=(fonts-liberation2)
    fi
    echo "${pkgs[*]}"
}

apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

need="$(missing_pkgs)"
if [ -n "$need" ]; then
    echo "== rtf check: installing $need"
    log="$(mktemp /tmp/rtf-check-apt.XXXXXX.log)"
    # shellcheck disable=SC2086  # $need is a space-separated list of package names
    if ! apt_install $need > "$log" 2>&1; then
        echo "   install failed without 'apt-get update'; updating the package lists and retrying"
        DEBIAN_FRONTEND=noninteractive apt-get update >> "$log" 2>&1 || true
        need="$(missing_pkgs)"   # a -nogui package may only show up after the update
        # shellcheck disable=SC2086
        if ! apt_install $need >> "$log" 2>&1; then
            tail -n 30 "$log" >&2
            echo "check.sh: apt-get install $need failed (log: $log)" >&2
            exit 1
        fi
    fi
    grep -E 'newly installed|After this operation' "$log" | sed 's/^/   /' || true
    rm -f "$log"
fi
for t in soffice pdfinfo pdftoppm pdftotext; do
    command -v "$t" > /dev/null 2>&1 || { echo "check.sh: $t still missing after install" >&2; exit 1; }
done

# ---------------------------------------------------------------- checking
profile="$(mktemp -d /tmp/rtf-check-lo-profile.XXXXXX)"
trap 'rm -rf "$profile"' EXIT
timeout_s="${RTF_CHECK_TIMEOUT:-180}"

# Collapse every run of whitespace (spaces, tabs, newlines, form feeds, no-break spaces) to one
# space and trim both ends.
normalize() {
    sed -e 's/\xc2\xa0/ /g' | tr -s '[:space:]' ' ' | sed -e 's/^ //' -e 's/ $//'
}

failed=0
fail() {   # fail FILE MESSAGE
    echo "FAIL: $1: $2" >&2
    failed=1
}

for i in "${!files[@]}"; do
    f="${files[$i]}"
    name="$(basename "$f")"
    name="${name%.*}"
    pdf="$outdir/$name.pdf"
    txt="$outdir/$name.txt"
    echo "== $f"
    rm -f "$pdf" "$txt" "$outdir/$name"-*.png   # no stale output from an earlier run

    # Without an RTF header LibreOffice would fall back to its plain-text import and "open" the
    # file anyway (raw control words and all), so that is checked first.
    if [ "$(head -c 5 "$f")" != '{\rtf' ]; then
        fail "$f" "not an RTF file (it does not start with {\rtf)"
        continue
    fi

    # --infilter forces LibreOffice's RTF reader. soffice's exit status says little (it is 0 when
    # it cannot load the file), so the PDF's existence and page count are what count.
    convlog="$outdir/$name.soffice.log"
    conv_status=0
    timeout "$timeout_s" soffice --headless --norestore --nolockcheck \
        "-env:UserInstallation=file://$profile" --infilter="Rich Text Format" \
        --convert-to pdf --outdir "$outdir" "$f" > "$convlog" 2>&1 || conv_status=$?
    if [ ! -s "$pdf" ]; then
        grep -v javaldx "$convlog" | sed 's/^/   soffice: /' >&2 || true
        if [ "$conv_status" -eq 124 ]; then
            fail "$f" "LibreOffice timed out after ${timeout_s}s and produced no PDF ($pdf)"
        else
            fail "$f" "LibreOffice produced no PDF ($pdf) (a missing closing brace, for one, makes it refuse the file)"
        fi
        continue
    fi
    rm -f "$convlog"
    pages="$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}' || true)"
    pages="${pages:-0}"
    echo "   pdf:   $pdf"
    echo "   pages: $pages"
    if [ "$pages" -eq 0 ]; then
        fail "$f" "the PDF has zero pages ($pdf)"
        continue
    fi

    # (poppler's warnings about odd fonts go to a log, shown only if it fails)
    poplog="$outdir/$name.poppler.log"
    if ! pdftoppm -png -r 100 "$pdf" "$outdir/$name" 2> "$poplog"; then
        sed 's/^/   pdftoppm: /' "$poplog" >&2
        fail "$f" "pdftoppm could not render $pdf"
        continue
    fi
    pngs=("$outdir/$name"-*.png)
    if [ ! -e "${pngs[0]}" ]; then
        fail "$f" "pdftoppm wrote no PNG"
        continue
    fi
    for p in "${pngs[@]}"; do echo "   png:   $p"; done

    if ! pdftotext -layout -enc UTF-8 "$pdf" "$txt" 2> "$poplog"; then
        sed 's/^/   pdftotext: /' "$poplog" >&2
        fail "$f" "pdftotext could not read $pdf"
        continue
    fi
    rm -f "$poplog"
    echo "   text:  $txt"
    text="$(normalize < "$txt")"
    # A table file whose PDF has no text at all was not understood (content lost in a skipped
    # destination, say), whatever was expected of it.
    if [ -z "$text" ]; then
        fail "$f" "the PDF has no text ($pdf)"
        continue
    fi
    found=0
    missing=0
    for k in "${!exp_file[@]}"; do
        [ "${exp_file[$k]}" -eq "$i" ] || continue
        want="$(printf '%s' "${exp_text[$k]}" | normalize)"
        if [[ "$text" == *"$want"* ]]; then
            found=$((found + 1))
        else
            missing=$((missing + 1))
            fail "$f" "expected text not found: \"${exp_text[$k]}\""
        fi
    done
    if [ "$missing" -eq 0 ]; then
        echo "   ok: $found expected strings found"
    else
        echo "   $missing of $((found + missing)) expected strings missing (text: $txt)"
    fi
done

exit "$failed"
