# shellcheck shell=bash disable=SC2154 # demo, demo_name, total_steps: set by the sourcing script
# scripts/lib.sh: what the demos share (make demo, make demo-migration).
# Source it from a script that has set:
#
#   repo         the repository root
#   demo         the directory the script writes in (under build/, git-ignored);
#                its state/ is removed however the script ends
#   demo_name    how messages name the script, e.g. "make demo"
#   total_steps  how many steps the script numbers
#
# then call demo_begin. It provides the numbered progress lines, running a
# command with its output in a log, reading JSON, starting moto_server,
# delivering a pushed file as S3 and Lambda would, and setting bucket
# policies aside while objects are read.

region=eu-west-1
export_bucket=mojap-hub-exports
step_no=0
step_name="starting"
moto_pid=""
policies_aside=()

# ---------------------------------------------------------------- output

step() {
	step_no=$((step_no + 1))
	step_name=$*
	printf '\n[%2d/%d +%3ds] %s\n' "$step_no" "$total_steps" "$SECONDS" "$*"
}
say() { printf '        %s\n' "$*"; }
fail() {
	printf '\n%s FAILED at step %d (%s):\n  %s\n' "$demo_name" "$step_no" "$step_name" "$*" >&2
	exit 1
}

# run LOG CMD...: run a command with its output appended to LOG, shown only
# if it fails.
run() {
	local log=$1
	shift
	local start
	printf '$ %s\n' "$*" >>"$log"
	start=$(wc -c <"$log")
	if ! "$@" >>"$log" 2>&1; then
		tail -c "+$((start + 1))" "$log" | tail -n 40 >&2
		fail "'$*' failed; full output in ${log#"$repo"/}"
	fi
}

# json EXPR [ARG...]: print a Python expression over the JSON document on
# stdin (j), the ARGs being a[0], a[1]...; a string as is, else as JSON.
json() {
	python3 -c 'import json, sys, urllib.parse
j, a = json.load(sys.stdin), sys.argv[2:]
r = eval(sys.argv[1])
sys.stdout.write(r if isinstance(r, str) else json.dumps(r))' "$@"
}

# ---------------------------------------------------------------- start and end

cleanup() {
	local status=$?
	trap - EXIT INT TERM
	if [[ -n $moto_pid ]] && kill -0 "$moto_pid" 2>/dev/null; then
		kill "$moto_pid" 2>/dev/null || true
		wait "$moto_pid" 2>/dev/null || true
	fi
	rm -rf "$demo/state"
	if ((status != 0)); then
		printf '\nmoto stopped, demo state removed. Logs: %s\n' "${demo#"$repo"/}" >&2
	fi
	exit "$status"
}

git_status() { git -C "$repo" status --porcelain --untracked-files=all 2>/dev/null || true; }

# demo_begin: traps that stop moto and remove the state however the script
# ends, and an environment that can never reach a real AWS account: dummy
# credentials, no profile, no Terraform Cloud, our own CLI config.
demo_begin() {
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	# errtrace: a failure inside a function names its command too; only the
	# main shell reports, not the subshell of a $(...).
	set -E
	trap '[[ $BASHPID == "$$" ]] && fail "command failed (line $LINENO): $BASH_COMMAND"' ERR
	status_before=$(git_status)

	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
		TF_CLOUD_ORGANIZATION TF_WORKSPACE TF_CLOUD_PROJECT
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_REGION=$region AWS_DEFAULT_REGION=$region AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
	export AWS_CONFIG_FILE=$demo/aws-config AWS_SHARED_CREDENTIALS_FILE=$demo/aws-credentials
	export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 TF_IN_AUTOMATION=1
	export TF_CLI_CONFIG_FILE=${TF_CLI_CONFIG_FILE:-$repo/build/terraform.rc}

	rm -rf "$demo/cdktf.out" "$demo/state" "$demo/files" "$demo"/*.log
	mkdir -p "$demo/state" "$demo/files"
	printf '[default]\nregion = %s\ns3 =\n    addressing_style = path\n' "$region" >"$AWS_CONFIG_FILE"
	: >"$AWS_SHARED_CREDENTIALS_FILE"
}

# demo_end: stop moto, remove the state, and fail if the script left a file
# git does not ignore.
demo_end() {
	kill "$moto_pid"
	wait "$moto_pid" 2>/dev/null || true
	moto_pid=""
	rm -rf "$demo/state"
	local status_after
	status_after=$(git_status)
	if [[ $status_after != "$status_before" ]]; then
		diff <(echo "$status_before") <(echo "$status_after") >&2 || true
		fail "the demo changed files git does not ignore (above)"
	fi
	say "nothing left that git does not ignore; synthesized JSON and logs stay in ${demo#"$repo"/}"
}

# check_tools: the tools the demos need, moto_server and the AWS CLI
# installed into build/tools-venv with pip when missing.
check_tools() {
	local venv=$repo/build/tools-venv
	[[ -x $venv/bin/moto_server ]] && export PATH=$venv/bin:$PATH
	local pip_missing=()
	command -v moto_server >/dev/null || pip_missing+=("moto[server]==5.2.*")
	command -v aws >/dev/null || pip_missing+=(awscli)
	if ((${#pip_missing[@]})); then
		command -v python3 >/dev/null || fail "python3 is missing: install Python 3, then run $demo_name again"
		say "installing ${pip_missing[*]} into ${venv#"$repo"/} (pip)"
		run "$demo/pip.log" python3 -m venv "$venv"
		run "$demo/pip.log" "$venv/bin/pip" install --quiet "${pip_missing[@]}"
		export PATH=$venv/bin:$PATH
	fi
	command -v python3 >/dev/null || fail "python3 is missing (the demo reads JSON with it): install Python 3"
	if ! "${MAKE:-make}" --no-print-directory -s tools; then
		fail "install the tools listed above, then run $demo_name again"
	fi
	[[ -f $TF_CLI_CONFIG_FILE ]] || run "$demo/make.log" "${MAKE:-make}" --no-print-directory terraform-config
	say "$(go version | cut -d' ' -f3), $(terraform version | head -n1), node $(node --version), $(aws --version 2>&1 | cut -d' ' -f1)"
	say "Terraform CLI config: ${TF_CLI_CONFIG_FILE#"$repo"/} ($(grep -q filesystem_mirror "$TF_CLI_CONFIG_FILE" && echo 'providers from the local filesystem mirror' || echo 'providers from the registry'))"
}

# start_moto [NAME=VALUE...]: moto_server on a free 127.0.0.1 port, with
# the given environment; every AWS call goes there from now on.
start_moto() {
	local port attempt
	port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
	for attempt in 1 2 3; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		env "$@" moto_server -H 127.0.0.1 -p "$port" >"$demo/moto.log" 2>&1 &
		moto_pid=$!
		for _ in $(seq 300); do
			port_open "$port" && break
			kill -0 "$moto_pid" 2>/dev/null || break
			sleep 0.1
		done
		port_open "$port" && break
		kill "$moto_pid" 2>/dev/null || true
		wait "$moto_pid" 2>/dev/null || true
		moto_pid=""
		((attempt < 3)) || { tail -n 20 "$demo/moto.log" >&2; fail "moto_server did not start (log: ${demo#"$repo"/}/moto.log)"; }
	done
	export AWS_ENDPOINT_URL=http://127.0.0.1:$port
	say "moto_server (pid $moto_pid) answers on $AWS_ENDPOINT_URL; every AWS call below goes there"
}

# ---------------------------------------------------------------- moving files

# mover_env FUNCTION: the function's deployed environment, NAME=VALUE lines.
mover_env() {
	aws lambda get-function-configuration --function-name "$1" --query 'Environment.Variables' --output json |
		json '"".join(k + "=" + v + "\n" for k, v in sorted(j.items()))'
}

# deliver DATASET: push a file under the dataset's prefix as a user would,
# then do what S3 and Lambda do in AWS: find the function the bucket's
# notification names for that prefix and run the mover ($demo/mover) with
# that function's own environment and the S3 event for the new object.
deliver() {
	local dataset=$1 key file event function_arn env_json recipient kept
	key=$dataset/$(date -u +%Y-%m-%d)/demo-$dataset.csv
	file=$demo/files/$dataset.csv
	printf 'dataset,generated_at\n%s,%s\n' "$dataset" "$(date -u +%FT%TZ)" >"$file"
	run "$demo/aws.log" aws s3 cp "$file" "s3://$export_bucket/$key"
	say "pushed s3://$export_bucket/$key ($(wc -c <"$file") bytes), as a listed user would"

	function_arn=$(aws s3api get-bucket-notification-configuration --bucket "$export_bucket" --output json |
		json '[c["LambdaFunctionArn"] for c in j.get("LambdaFunctionConfigurations", [])
			if any(r["Name"].lower() == "prefix" and r["Value"] == a[0] for r in c["Filter"]["Key"]["FilterRules"])][0]' "$dataset/") ||
		fail "the notification of $export_bucket has no entry for the prefix $dataset/"
	say "the export bucket's notification sends objects under $dataset/ to $function_arn"

	env_json=$(aws lambda get-function-configuration --function-name "$function_arn" --query 'Environment.Variables' --output json)
	local -a function_env
	mapfile -d '' function_env < <(json '"".join(k + "=" + v + "\0" for k, v in sorted(j.items()))' <<<"$env_json")
	say "its deployed environment: ${function_env[*]}"

	event=$demo/files/$dataset-event.json
	aws s3api head-object --bucket "$export_bucket" --key "$key" --output json | json '{"Records": [{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": a[0], "eventTime": a[1],
		"eventName": "ObjectCreated:Put",
		"s3": {"s3SchemaVersion": "1.0", "configurationId": "demo",
			"bucket": {"name": a[2], "arn": "arn:aws:s3:::" + a[2]},
			"object": {"key": urllib.parse.quote_plus(a[3], safe="/"), "size": j["ContentLength"], "eTag": j["ETag"].strip(chr(34)), "sequencer": "0"}}}]}' \
		"$region" "$(date -u +%FT%T.000Z)" "$export_bucket" "$key" >"$event"
	run "$demo/mover-$dataset.log" env "${function_env[@]}" "$demo/mover" --event "$event"
	say "mover ran on the S3 event in ${event#"$repo"/}: $(tail -n 1 "$demo/mover-$dataset.log" |
		json '"outcome %s, %s bytes, %s S3 requests, %s ms" % (j["outcome"], j["size"], j["s3_requests"], j["duration_ms"])')"

	recipient=$(json 'j["DESTINATION_BUCKET"]' <<<"$env_json")
	aws s3 cp "s3://$recipient/$key" - 2>/dev/null | cmp -s - "$file" ||
		fail "s3://$recipient/$key is missing or differs from the file pushed"
	say "arrived: s3://$recipient/$key, byte for byte"
	kept=no
	aws s3api head-object --bucket "$export_bucket" --key "$key" >/dev/null 2>&1 && kept=yes
	if [[ $(json 'j.get("KEEP_FILES", "false")' <<<"$env_json") == true ]]; then
		[[ $kept == yes ]] || fail "keep_files is set but the mover deleted s3://$export_bucket/$key"
		say "kept:    s3://$export_bucket/$key is still there (keep_files: true)"
	else
		[[ $kept == no ]] || fail "s3://$export_bucket/$key is still in the export bucket after the move"
		say "gone:    s3://$export_bucket/$key is no longer in the export bucket"
	fi
}

# moto applies a bucket policy's Deny statements without evaluating their
# conditions (its documented limit), so our "deny unless TLS 1.2" statements,
# and the export bucket's "deny object writes by anyone but an alpha_user_*
# role", would refuse every object request. The demos set those bucket policies
# aside while they read and move objects, and put them back byte for byte
# before the final plan, which proves they are back as deployed.
set_policies_aside() {
	local bucket
	for bucket in "$@"; do
		aws s3api get-bucket-policy --bucket "$bucket" --query Policy --output text >"$demo/files/$bucket.policy.json"
		run "$demo/aws.log" aws s3api delete-bucket-policy --bucket "$bucket"
		policies_aside+=("$bucket")
	done
}
restore_policies() {
	local bucket
	for bucket in "${policies_aside[@]}"; do
		run "$demo/aws.log" aws s3api put-bucket-policy --bucket "$bucket" --policy "file://$demo/files/$bucket.policy.json"
	done
	policies_aside=()
}

# plan_again STACK: plan once more; the deployed stack must match the code.
plan_again() {
	local stack=$1 plan_status
	set +e
	terraform -chdir="$stack" plan -input=false -no-color -detailed-exitcode >"$demo/terraform-plan.log" 2>&1
	plan_status=$?
	set -e
	case $plan_status in
	0) say "$(grep -E '^No changes' "$demo/terraform-plan.log")" ;;
	2) grep -E '^  # |^Plan:' "$demo/terraform-plan.log" >&2; fail "the second plan wants changes (log: ${demo#"$repo"/}/terraform-plan.log)" ;;
	*) tail -n 40 "$demo/terraform-plan.log" >&2; fail "terraform plan failed (log: ${demo#"$repo"/}/terraform-plan.log)" ;;
	esac
}
