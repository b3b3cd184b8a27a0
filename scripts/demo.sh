#!/usr/bin/env bash
# make demo: the whole product working on a fresh clone, with no AWS account.
#
# It starts the moto AWS emulator on 127.0.0.1, stands in for what exists
# outside this stack (the analysts' alpha_user_* roles, the recipients'
# buckets), then validates, synthesizes, applies with Terraform, pushes a file
# as an analyst would, delivers it with the mover configured exactly as the
# deployed function is, reads a pull bucket and plans again expecting no
# changes. Everything it writes lives under build/demo (git-ignored); its
# Terraform state is removed and moto stopped however it ends.
set -euo pipefail
shopt -s nullglob

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

demo=$repo/build/demo
outdir=$demo/cdktf.out
stack=$outdir/stacks/exports
state=$demo/state/demo.tfstate
region=eu-west-1
export_bucket=mojap-hub-exports
# The invented example datasets: datasets/ holds only what production deploys.
export DATASETS_DIR=${DATASETS_DIR:-examples/datasets}
total_steps=12
step_no=0
step_name="starting"
moto_pid=""

# ---------------------------------------------------------------- output

step() {
	step_no=$((step_no + 1))
	step_name=$*
	printf '\n[%2d/%d +%3ds] %s\n' "$step_no" "$total_steps" "$SECONDS" "$*"
}
say() { printf '        %s\n' "$*"; }
fail() {
	printf '\nmake demo FAILED at step %d (%s):\n  %s\n' "$step_no" "$step_name" "$*" >&2
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

# ---------------------------------------------------------------- cleanup

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
trap cleanup EXIT
trap 'exit 130' INT TERM
# errtrace: a failure inside a function names its command too; only the main
# shell reports, not the subshell of a $(...).
set -E
trap '[[ $BASHPID == "$$" ]] && fail "command failed (line $LINENO): $BASH_COMMAND"' ERR

git_status() { git -C "$repo" status --porcelain --untracked-files=all 2>/dev/null || true; }
status_before=$(git_status)

# Never reach a real AWS account, whatever the caller's environment holds:
# dummy credentials, no profile, no Terraform Cloud, our own CLI config.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE \
	TF_CLOUD_ORGANIZATION TF_WORKSPACE TF_CLOUD_PROJECT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_REGION=$region AWS_DEFAULT_REGION=$region AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
export AWS_CONFIG_FILE=$demo/aws-config AWS_SHARED_CREDENTIALS_FILE=$demo/aws-credentials
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 TF_IN_AUTOMATION=1
export TF_CLI_CONFIG_FILE=${TF_CLI_CONFIG_FILE:-$repo/build/terraform.rc}

rm -rf "$outdir" "$demo/state" "$demo/files" "$demo"/*.log
mkdir -p "$demo/state" "$demo/files"
printf '[default]\nregion = %s\ns3 =\n    addressing_style = path\n' "$region" >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

echo "make demo: data-engineering-exports end to end against the moto AWS emulator (no AWS account used)"

# ---------------------------------------------------------------- 1 tools

step "Check the tools (go, terraform, node, moto_server, aws, python3)"
venv=$repo/build/tools-venv
[[ -x $venv/bin/moto_server ]] && export PATH=$venv/bin:$PATH
pip_missing=()
command -v moto_server >/dev/null || pip_missing+=("moto[server]==5.2.*")
command -v aws >/dev/null || pip_missing+=(awscli)
if ((${#pip_missing[@]})); then
	command -v python3 >/dev/null || fail "python3 is missing: install Python 3, then run make demo again"
	say "installing ${pip_missing[*]} into ${venv#"$repo"/} (pip)"
	run "$demo/pip.log" python3 -m venv "$venv"
	run "$demo/pip.log" "$venv/bin/pip" install --quiet "${pip_missing[@]}"
	export PATH=$venv/bin:$PATH
fi
command -v python3 >/dev/null || fail "python3 is missing (the demo reads JSON with it): install Python 3"
if ! "${MAKE:-make}" --no-print-directory -s tools; then
	fail "install the tools listed above, then run make demo again"
fi
[[ -f $TF_CLI_CONFIG_FILE ]] || run "$demo/make.log" "${MAKE:-make}" --no-print-directory terraform-config
say "$(go version | cut -d' ' -f3), $(terraform version | head -n1), node $(node --version), $(aws --version 2>&1 | cut -d' ' -f1)"
say "Terraform CLI config: ${TF_CLI_CONFIG_FILE#"$repo"/} ($(grep -q filesystem_mirror "$TF_CLI_CONFIG_FILE" && echo 'providers from the local filesystem mirror' || echo 'providers from the registry'))"

# ---------------------------------------------------------------- 2 moto

step "Start moto_server on a free 127.0.0.1 port"
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for attempt in 1 2 3; do
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	moto_server -H 127.0.0.1 -p "$port" >"$demo/moto.log" 2>&1 &
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
	((attempt < 3)) || { tail -n 20 "$demo/moto.log" >&2; fail "moto_server did not start (log: build/demo/moto.log)"; }
done
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
say "moto_server (pid $moto_pid) answers on $AWS_ENDPOINT_URL; every AWS call below goes there"

# ---------------------------------------------------------------- 3 outside world

step "Stand in for what already exists outside this stack: the users' roles and the recipients' buckets"
push_files=("$DATASETS_DIR"/push/*.yaml)
pull_files=("$DATASETS_DIR"/pull/*.yaml)
((${#push_files[@]} && ${#pull_files[@]})) || fail "the demo needs at least one push and one pull dataset under $DATASETS_DIR/"
mapfile -t users < <(grep -ohE '\balpha_user_[A-Za-z0-9_-]+' "${push_files[@]}" "${pull_files[@]}" | sort -u)
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.example"},"Action":"sts:AssumeRoleWithWebIdentity"}]}'
for user in "${users[@]}"; do
	run "$demo/aws.log" aws iam create-role --role-name "$user" --assume-role-policy-document "$trust"
done
say "Analytical Platform user roles: ${users[*]}"
mapfile -t recipients < <(sed -nE 's/^bucket:[[:space:]]*["'"'"']?([^"'"'"'#[:space:]]+).*/\1/p' "${push_files[@]}" | sort -u)
for bucket in "${recipients[@]}"; do
	run "$demo/aws.log" aws s3api create-bucket --bucket "$bucket" --create-bucket-configuration "LocationConstraint=$region"
done
say "recipient buckets (in other accounts for real): ${recipients[*]}"

# ---------------------------------------------------------------- 4 validate

step "Build the two programs (go build; minutes on a first run) and validate the dataset files"
run "$demo/go-build.log" go build -o "$demo/exports" ./cmd/exports
run "$demo/go-build.log" go build -o "$demo/synth" .
"$demo/exports" validate || fail "the dataset files are invalid: fix what is listed above"
say "${#push_files[@]} push and ${#pull_files[@]} pull datasets are valid"

# ---------------------------------------------------------------- 5 synth

step "Synthesize the stack to Terraform JSON (provider pointed at moto)"
CDKTF_OUTDIR=$outdir EXPORTS_STATE_PATH=$state run "$demo/synth.log" "$demo/synth"
[[ -f $stack/cdk.tf.json ]] || fail "synthesis wrote no ${stack#"$repo"/}/cdk.tf.json (log: build/demo/synth.log)"
resources=$(json 'sum(len(v) for v in j.get("resource", {}).values())' <"$stack/cdk.tf.json")
say "${stack#"$repo"/}/cdk.tf.json: $resources resources, plain Terraform JSON; state goes to ${state#"$repo"/}"

# ---------------------------------------------------------------- 6 apply

step "terraform init and apply"
run "$demo/terraform-init.log" terraform -chdir="$stack" init -input=false -no-color
run "$demo/terraform-apply.log" terraform -chdir="$stack" apply -input=false -no-color -auto-approve
say "$(grep -E '^Apply complete!' "$demo/terraform-apply.log")"
outputs=$(terraform -chdir="$stack" output -json)
say "outputs:"
terraform -chdir="$stack" output -no-color | sed 's/^/          /'

# deliver DATASET: push a file under the dataset's prefix as a user would,
# then do what S3 and Lambda do in AWS: find the function the bucket's
# notification names for that prefix and run the mover with that function's
# own environment and the S3 event for the new object.
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

# ---------------------------------------------------------------- 7-9 push

# moto applies a bucket policy's Deny statements without evaluating their
# conditions (its documented limit), so our "deny unless TLS 1.2" statements,
# and the export bucket's "deny object writes by anyone but an alpha_user_*
# role", would refuse every object request. The demo sets those bucket
# policies aside while it moves objects and puts them back byte for byte
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
policies_aside=()

step "Build the mover; set the bucket policies aside (moto cannot evaluate their conditions)"
run "$demo/go-build.log" go build -o "$demo/mover" ./functions/mover
say "${demo#"$repo"/}/mover built from ./functions/mover: moto cannot run Lambda, so the demo runs it as S3 would"
pull=$(basename "${pull_files[0]}" .yaml)
pull_bucket=$(json 'j["pull_bucket_names"]["value"][a[0]]' "$pull" <<<"$outputs") ||
	fail "the output pull_bucket_names has no entry for $pull"
set_policies_aside "$export_bucket" "$pull_bucket"
say "bucket policies of ${policies_aside[*]} saved in ${demo#"$repo"/}/files and removed until the final plan"

mapfile -t keep_files < <(grep -lE '^keep_files:[[:space:]]*true' "${push_files[@]}")
move_push=""
for f in "${push_files[@]}"; do
	[[ " ${keep_files[*]} " == *" $f "* ]] || { move_push=$(basename "$f" .yaml); break; }
done
[[ -n $move_push ]] || fail "the demo needs a push dataset without keep_files: true"
step "Push dataset $move_push: push a file and deliver it"
deliver "$move_push"

if ((${#keep_files[@]})); then
	keep_push=$(basename "${keep_files[0]}" .yaml)
	step "Push dataset $keep_push (keep_files: true): push a file and deliver it"
	deliver "$keep_push"
else
	step "Push dataset with keep_files: true: none among the datasets, nothing to show"
fi

# ---------------------------------------------------------------- 10 pull

step "Pull dataset $pull: write, list and read its bucket"
file=$demo/files/$pull.csv
printf 'case_id,office\n1,Leeds\n2,Cardiff\n' >"$file"
run "$demo/aws.log" aws s3 cp "$file" "s3://$pull_bucket/latest/$pull.csv"
say "put:  s3://$pull_bucket/latest/$pull.csv"
say "list: $(aws s3 ls "s3://$pull_bucket/latest/")"
aws s3 cp "s3://$pull_bucket/latest/$pull.csv" - | cmp -s - "$file" || fail "reading s3://$pull_bucket/latest/$pull.csv gave other bytes"
say "get:  the same bytes back"
principals=$(json '" ".join(sorted({p
	for s in j["Statement"] if s["Effect"] == "Allow" and isinstance(s.get("Principal"), dict)
	for p in ([s["Principal"]["AWS"]] if isinstance(s["Principal"]["AWS"], str) else s["Principal"]["AWS"])}))' <"$demo/files/$pull_bucket.policy.json")
say "its bucket policy lets these outside roles read it: $principals"

# ---------------------------------------------------------------- 11 plan

step "Put the bucket policies back and plan again: the deployed stack must match the code"
restore_policies
say "bucket policies restored"
set +e
terraform -chdir="$stack" plan -input=false -no-color -detailed-exitcode >"$demo/terraform-plan.log" 2>&1
plan_status=$?
set -e
case $plan_status in
0) say "$(grep -E '^No changes' "$demo/terraform-plan.log")" ;;
2) grep -E '^  # |^Plan:' "$demo/terraform-plan.log" >&2; fail "the second plan wants changes (log: build/demo/terraform-plan.log)" ;;
*) tail -n 40 "$demo/terraform-plan.log" >&2; fail "terraform plan failed (log: build/demo/terraform-plan.log)" ;;
esac

# ---------------------------------------------------------------- 12 clean up

step "Stop moto and remove the demo state"
kill "$moto_pid"
wait "$moto_pid" 2>/dev/null || true
moto_pid=""
rm -rf "$demo/state"
status_after=$(git_status)
if [[ $status_after != "$status_before" ]]; then
	diff <(echo "$status_before") <(echo "$status_after") >&2 || true
	fail "the demo changed files git does not ignore (above)"
fi
say "nothing left that git does not ignore; synthesized JSON and logs stay in ${demo#"$repo"/}"
printf '\nmake demo: everything worked, in %d s.\n' "$SECONDS"
