#!/usr/bin/env bash
# Runs test programs (Check binaries, shell scripts) one after another and
# closes with "N passed, N failed" over the programs. Each program prints
# its own detail; a non-zero exit is a failure. The closing lines repeat
# each failed program's failing checks, so the tail of a CI log says what broke.
#   tests/run-tests.sh LABEL PROGRAM...
# VALGRIND=1 runs binaries under valgrind (errors fail the test).
set -u
label=$1
shift
passed=0
failed=0
failed_names=()
fail_lines=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$@"; do
	name=$(basename "$t")
	printf '=== %s: %s\n' "$label" "$name"
	start=$(date +%s)
	if [[ $t == *.sh ]]; then
		bash "$t"
	elif [[ ${VALGRIND:-0} == 1 ]]; then
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			--suppressions="$(dirname "$0")/valgrind.supp" \
			"$t"
	else
		"$t"
	fi 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if [[ $rc == 0 ]]; then
		passed=$((passed + 1))
		printf '=== %s: %s ok (%ss)\n' "$label" "$name" $(($(date +%s) - start))
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		# FAIL/fail: the shell tests' checks; :F: and :E: Check's failures.
		while IFS= read -r line; do
			fail_lines+=("  $name: $line")
		done < <(grep -E '^(FAIL|fail)|:[FE]:' "$out" | head -n 20)
		printf '=== %s: %s FAILED (exit %s)\n' "$label" "$name" "$rc"
	fi
done
if ((failed)); then
	echo "failed: ${failed_names[*]}"
	((${#fail_lines[@]})) && printf '%s\n' "${fail_lines[@]}"
fi
echo "$passed passed, $failed failed"
((failed == 0))
