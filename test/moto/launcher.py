#!/usr/bin/env python3
"""moto_server 5.2.1 with the few handlers Terraform (hashicorp/aws 5.100) needs added or fixed.

Plain moto_server cannot take an apply of the oplake root module and a clean re-plan because:

  1. Step Functions: ValidateStateMachineDefinition is missing (the provider validates every
     definition before CreateStateMachine/UpdateStateMachine) -> added, answers OK. The JSON is
     still parsed here, so a definition that is not JSON is refused (INVALID_JSON_DESCRIPTION).
  2. Step Functions: ListStateMachineVersions is missing (read after create) -> added, answers the
     versions moto never publishes: an empty list.
  3. SQS: RedrivePolicy comes back as json.dumps() with spaces; the provider compares the string
     and plans a change forever -> returned compact, the way SQS does.
  4. SQS: RedriveAllowPolicy is accepted by SetQueueAttributes but never returned, and asking for
     it by name is an InvalidAttributeName -> stored and returned.
  5. Lambda: LoggingConfig (advanced logging: JSON format, log group, levels) is dropped on
     CreateFunction/UpdateFunctionConfiguration and never returned, so every function plans a
     change forever -> stored and returned; UpdateFunctionConfiguration also keeps TracingConfig.
  6. Step Functions (execute_state_machine mode): a second StartExecution of one state machine
     answers 500 (the backend deep-copies the state machine, and a running execution's RLock
     cannot be copied), and an unnamed execution is named "None", so a second unnamed start is
     ExecutionAlreadyExists -> executions are shared by the copy, unnamed ones get a UUID.

Usage: python3 test/moto/launcher.py [--host 127.0.0.1] [--port 0] [--port-file FILE] [--sfn-execute]
Prints "moto ready on http://HOST:PORT" once it accepts requests; stops on SIGTERM/SIGINT.
MOTO_IAM_LOAD_MANAGED_POLICIES defaults to true (roles may attach AWS managed policies).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import signal
import socket
import sys
import threading
import urllib.request
import uuid

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto.core.responses import ActionResult  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402
from moto.awslambda import models as lambda_models  # noqa: E402
from moto.sqs import models as sqs_models  # noqa: E402
from moto.stepfunctions import models as sfn_models  # noqa: E402
from moto.stepfunctions.parser import models as sfn_parser_models  # noqa: E402
from moto.stepfunctions.responses import StepFunctionResponse  # noqa: E402

COMPACT = (",", ":")


def _patch_stepfunctions() -> None:
    def validate_state_machine_definition(self):  # type: ignore[no-untyped-def]
        definition = self._get_param("definition")
        try:
            json.loads(definition or "")
        except ValueError as error:
            return ActionResult(
                {
                    "result": "FAIL",
                    "diagnostics": [
                        {
                            "severity": "ERROR",
                            "code": "INVALID_JSON_DESCRIPTION",
                            "message": str(error),
                            "location": "/",
                        }
                    ],
                    "truncated": False,
                }
            )
        return ActionResult({"result": "OK", "diagnostics": [], "truncated": False})

    def list_state_machine_versions(self):  # type: ignore[no-untyped-def]
        arn = self._get_param("stateMachineArn")
        self.stepfunction_backend.describe_state_machine(arn)  # raises StateMachineDoesNotExist
        return ActionResult({"stateMachineVersions": []})

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


def _patch_start_execution() -> None:
    # moto's parser backend (execute_state_machine mode) deep-copies the state machine on every
    # StartExecution; once an execution is running, its thread's RLock makes that copy raise
    # (500). The copy only freezes the definition for the new execution: executions are shared.
    def deepcopy_state_machine(self, memo):  # type: ignore[no-untyped-def]
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        for key, value in self.__dict__.items():
            if key == "executions":
                setattr(clone, key, value)
                continue
            try:
                setattr(clone, key, copy.deepcopy(value, memo))
            except TypeError:
                setattr(clone, key, value)
        return clone

    sfn_models.StateMachine.__deepcopy__ = deepcopy_state_machine

    # Without a name, the parser backend names the execution "None": the second unnamed start of
    # a state machine is then ExecutionAlreadyExists. AWS generates a UUID.
    original = sfn_parser_models.StepFunctionsParserBackend.start_execution

    def start_execution(self, state_machine_arn, name=None, execution_input=None, trace_header=None):  # type: ignore[no-untyped-def]
        return original(self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header)

    sfn_parser_models.StepFunctionsParserBackend.start_execution = start_execution


def _patch_sqs() -> None:
    queue = sqs_models.Queue
    if "RedriveAllowPolicy" not in queue.BASE_ATTRIBUTES:
        queue.BASE_ATTRIBUTES = [*queue.BASE_ATTRIBUTES, "RedriveAllowPolicy"]
    queue.redrive_allow_policy = None  # class default: queues that never set one
    original = queue.attributes.fget

    def attributes(self):  # type: ignore[no-untyped-def]
        result = original(self)
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=COMPACT)
        allow = getattr(self, "redrive_allow_policy", None)
        if allow:
            result["RedriveAllowPolicy"] = (
                allow if isinstance(allow, str) else json.dumps(allow, separators=COMPACT)
            )
        else:
            result.pop("RedriveAllowPolicy", None)
        return result

    queue.attributes = property(attributes)


def _patch_lambda() -> None:
    function = lambda_models.LambdaFunction
    original_init = function.__init__
    original_get = function.get_configuration
    original_update = function.update_configuration

    def init(self, account_id, spec, region, *args, **kwargs):  # type: ignore[no-untyped-def]
        original_init(self, account_id, spec, region, *args, **kwargs)
        self.logging_config = spec.get("LoggingConfig")

    def get_configuration(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        config = original_get(self, *args, **kwargs)
        logging = dict(getattr(self, "logging_config", None) or {})
        logging.setdefault("LogFormat", "Text")
        logging.setdefault("LogGroup", f"/aws/lambda/{self.function_name}")
        config["LoggingConfig"] = logging
        return config

    def update_configuration(self, config_updates):  # type: ignore[no-untyped-def]
        if "LoggingConfig" in config_updates:
            self.logging_config = config_updates["LoggingConfig"]
        if "TracingConfig" in config_updates:
            self.tracing_config = config_updates["TracingConfig"]
        return original_update(self, config_updates)

    function.__init__ = init
    function.get_configuration = get_configuration
    function.update_configuration = update_configuration


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the chosen port here once ready")
    parser.add_argument(
        "--sfn-execute",
        action="store_true",
        help="let Step Functions execute definitions (POST /moto-api/config right after start)",
    )
    args = parser.parse_args()

    _patch_stepfunctions()
    _patch_start_execution()
    _patch_sqs()
    _patch_lambda()

    port = args.port or _free_port(args.host)
    server = ThreadedMotoServer(ip_address=args.host, port=port, verbose=False)
    server.start()
    base = f"http://{args.host}:{port}"

    if args.sfn_execute:
        request = urllib.request.Request(
            f"{base}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).read()

    if args.port_file:
        tmp = f"{args.port_file}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(str(port))
        os.replace(tmp, args.port_file)
    print(f"moto ready on {base}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
