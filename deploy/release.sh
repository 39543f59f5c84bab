#!/usr/bin/env bash
# Release one set of images into one environment, as the deploy workflow does for poc, tst
# and prd in turn (an engineer with the environment's deploy role can run it the same way,
# e.g. to roll back to the images of an earlier release):
#
#   CODE_LOCATION_IMAGE=<repo>@sha256:... DAGSTER_IMAGE=<repo>@sha256:... \
#   MIGRATE_IMAGE=<repo>@sha256:... deploy/release.sh poc
#
# 1. read the environment's deployment facts (/pharma-pipelines/<env>/deployment, written by
#    Terraform): cluster, task families, services, the migration's network;
# 2. register a revision of the migration task with the new image and run it once; stop
#    here unless it exits 0 (its log is printed either way);
# 3. register revisions of the run, code-location, daemon and webserver tasks, each a copy of
#    the family's newest revision (Terraform's configuration) with only the image replaced;
# 4. roll the code server, then the daemon, then the webserver, and wait until each runs
#    the new revision (ECS rolls back a deployment that fails its health checks: that
#    fails the release);
# 5. record the release in /pharma-pipelines/<env>/release, which Terraform reads, so that
#    an infrastructure change never puts an older image back.
#
# Needs the AWS CLI v2 and jq.
set -euo pipefail

environment=${1:-}
case "$environment" in
  poc | tst | prd) ;;
  *)
    echo "usage: $0 poc|tst|prd (got '${environment}'); images come from CODE_LOCATION_IMAGE, DAGSTER_IMAGE and MIGRATE_IMAGE" >&2
    exit 2
    ;;
esac

for name in CODE_LOCATION_IMAGE DAGSTER_IMAGE MIGRATE_IMAGE; do
  value=${!name:-}
  if ! [[ "$value" =~ ^[^@[:space:]]+@sha256:[0-9a-f]{64}$ ]]; then
    echo "$name='$value' is not an image pinned by digest (repository@sha256:<64 hex digits>); every environment must run exactly the image that was built and tested" >&2
    exit 2
  fi
done

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

deployment=$(aws ssm get-parameter --name "/pharma-pipelines/${environment}/deployment" \
  --query Parameter.Value --output text)
fact() { jq -er "$1" <<<"$deployment"; }
cluster=$(fact .cluster)

log() { echo "[release ${environment}] $*"; }

# Prints the ARN of a new revision of the family of task KIND whose container runs IMAGE.
register() {
  local kind=$1 image=$2 family container
  family=$(fact ".families.${kind}")
  container=$(fact ".containers.${kind}")
  aws ecs describe-task-definition --task-definition "$family" --query taskDefinition --output json \
    >"$workdir/${kind}-current.json"
  if ! jq -e --arg name "$container" '[.containerDefinitions[] | select(.name == $name)] | length == 1' \
    "$workdir/${kind}-current.json" >/dev/null; then
    echo "task family ${family} has no single container named '${container}'; the deployment facts and the task definition disagree: apply Terraform for ${environment} first" >&2
    return 1
  fi
  # Only the fields RegisterTaskDefinition accepts; everything but the image stays as is.
  jq --arg name "$container" --arg image "$image" '
    .containerDefinitions |= map(if .name == $name then .image = $image else . end)
    | {family, taskRoleArn, executionRoleArn, networkMode, containerDefinitions, volumes,
       placementConstraints, requiresCompatibilities, cpu, memory, runtimePlatform,
       ephemeralStorage, pidMode, ipcMode}
    | with_entries(select(.value != null))' \
    "$workdir/${kind}-current.json" >"$workdir/${kind}-new.json"
  aws ecs register-task-definition --cli-input-json "file://$workdir/${kind}-new.json" \
    --query taskDefinition.taskDefinitionArn --output text
}

# ------------------------------------------------------------------------------------------
# Migration: once, before any new code runs against the warehouse
# ------------------------------------------------------------------------------------------
migrate_definition=$(register migrate "$MIGRATE_IMAGE")
log "migration task ${migrate_definition}"
network=$(jq -c '{awsvpcConfiguration: {subnets: .subnets, securityGroups: [.migrate_group], assignPublicIp: "DISABLED"}}' <<<"$deployment")
task=$(aws ecs run-task --cluster "$cluster" --task-definition "$migrate_definition" \
  --launch-type FARGATE --network-configuration "$network" \
  --started-by "release-${GITHUB_RUN_ID:-manual}" \
  --query 'tasks[0].taskArn' --output text)
log "migration running as ${task}"

# `aws ecs wait tasks-stopped` gives up after 10 minutes; a migration may take longer.
for _ in $(seq 1 6); do
  if aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"; then
    break
  fi
done
container=$(fact .containers.migrate)
read -r status exit_code < <(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query "tasks[0].[lastStatus, containers[?name=='${container}'].exitCode | [0]]" --output text)

log "migration output:"
aws logs get-log-events --log-group-name "$(fact .migrate_logs)" \
  --log-stream-name "migrate/${container}/${task##*/}" --start-from-head \
  --query 'events[].message' --output text || log "(no log stream for ${task##*/})"

if [ "$status" != "STOPPED" ] || [ "$exit_code" != "0" ]; then
  echo "migration task ${task} ended with status ${status}, exit code ${exit_code} (0 expected): nothing was rolled out to ${environment}" >&2
  exit 1
fi
log "migration done"

# ------------------------------------------------------------------------------------------
# New revisions, then the services
# ------------------------------------------------------------------------------------------
# The run revision first: the daemon resolves the newest run revision when it starts.
run_definition=$(register run "$CODE_LOCATION_IMAGE")
log "run task ${run_definition}"

roll() {
  local kind=$1 image=$2 definition service deployment_state
  definition=$(register "$kind" "$image")
  service=$(fact ".services.${kind}")
  log "rolling ${service} to ${definition}"
  aws ecs update-service --cluster "$cluster" --service "$service" \
    --task-definition "$definition" --query service.serviceName --output text >/dev/null
  aws ecs wait services-stable --cluster "$cluster" --services "$service"
  deployment_state=$(aws ecs describe-services --cluster "$cluster" --services "$service" \
    --query "services[0].deployments[?status=='PRIMARY'] | [0].[taskDefinition, rolloutState]" \
    --output text)
  if [ "$deployment_state" != "${definition}"$'\t'"COMPLETED" ]; then
    echo "service ${service} did not settle on ${definition} (primary deployment: ${deployment_state}); ECS rolled it back after failed health checks, see its events and the task logs" >&2
    return 1
  fi
}

roll code_location "$CODE_LOCATION_IMAGE"
roll daemon "$DAGSTER_IMAGE"
roll webserver "$DAGSTER_IMAGE"

# ------------------------------------------------------------------------------------------
# Release record
# ------------------------------------------------------------------------------------------
release=$(jq -cn --arg code_location "$CODE_LOCATION_IMAGE" --arg dagster "$DAGSTER_IMAGE" \
  --arg migrate "$MIGRATE_IMAGE" '{code_location: $code_location, dagster: $dagster, migrate: $migrate}')
aws ssm put-parameter --name "$(fact .release_record)" --type String --overwrite \
  --value "$release" --query Version --output text >/dev/null
log "released ${release}"
