"""Serve a terok provider from Python: the go-plugin side of the protocol.

Everything a plugin in any language must do is here, in the order terok
expects it (docs/protocol.md in terok describes each step):

1. check the magic cookie and the protocol versions terok offers;
2. listen on 127.0.0.1 with TLS, using terok's client certificate
   (PLUGIN_CLIENT_CERT) as the only one allowed, and a fresh self-signed
   server certificate;
3. print the handshake line on standard output, then never write there
   again;
4. serve the provider service, grpc.health.v1.Health ("plugin" is SERVING),
   plugin.GRPCController/Shutdown (terok calls it to stop the plugin) and
   plugin.GRPCStdio/StreamStdio;
5. report provider errors (invalid key, nothing captured, unsupported mode)
   as gRPC statuses carrying a google.rpc.ErrorInfo detail;
6. log JSON lines to standard error, and exit when terok is gone.
"""

import base64
import datetime
import json
import os
import sys
import threading
import time
from concurrent import futures

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import provider_pb2 as pb

COOKIE_KEY = "TEROK_PROVIDER_PLUGIN"
COOKIE_VALUE = "8b0f3c1e-terok-auth-provider"
CORE_PROTOCOL = 1  # go-plugin's own
APP_PROTOCOL = 1  # terok's provider protocol (sdk.ProtocolVersion)
ERROR_DOMAIN = "terok.provider.v1"

_LEVELS = {"trace": 0, "debug": 1, "info": 2, "warn": 3, "error": 4, "off": 5}
_level = _LEVELS.get(os.environ.get("TEROK_LOG_LEVEL", "warn").lower(), 3)
_stderr = sys.stderr


def log(level, message, **fields):
    """Write one hclog JSON line to standard error; terok shows it as the plugin's log."""
    if _LEVELS[level] < _level:
        return
    line = {"@level": level, "@message": message,
            "@timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    line.update(fields)
    _stderr.write(json.dumps(line) + "\n")
    _stderr.flush()


class ProviderError(Exception):
    """An error that means something to terok: reason is INVALID_KEY,
    NOTHING_CAPTURED or UNSUPPORTED_MODE; the message is shown to the user."""

    CODES = {
        "INVALID_KEY": grpc.StatusCode.INVALID_ARGUMENT,
        "NOTHING_CAPTURED": grpc.StatusCode.NOT_FOUND,
        "UNSUPPORTED_MODE": grpc.StatusCode.FAILED_PRECONDITION,
    }

    def __init__(self, reason, message):
        super().__init__(message)
        if reason not in self.CODES:
            raise ValueError("unknown reason " + reason)
        self.reason = reason


# --- a few protobuf messages, encoded by hand: google.rpc.Status with an
# ErrorInfo detail, and the health check response. Their .proto files are
# not worth a code generator here.

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(num, value):
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    if isinstance(value, str):
        value = value.encode()
    return _varint(num << 3 | 2) + _varint(len(value)) + value


def _status_details(code, message, reason):
    info = _field(1, reason) + _field(2, ERROR_DOMAIN)
    any_ = _field(1, "type.googleapis.com/google.rpc.ErrorInfo") + _field(2, info)
    return _field(1, code.value[0]) + _field(2, message) + _field(3, any_)


_HEALTH_SERVING = _field(1, 1)  # HealthCheckResponse{status: SERVING}


def _unary(fn, req_class):
    def handle(request, context):
        try:
            return fn(request).SerializeToString()
        except ProviderError as e:
            code = ProviderError.CODES[e.reason]
            context.set_trailing_metadata((("grpc-status-details-bin", _status_details(code, str(e), e.reason)),))
            context.abort(code, str(e))
        except Exception as e:  # noqa: BLE001 - any other failure is the plugin's
            log("error", "provider call failed", error=repr(e))
            context.abort(grpc.StatusCode.UNKNOWN, str(e))
    return grpc.unary_unary_rpc_method_handler(handle, request_deserializer=req_class.FromString)


def _certificate():
    """A fresh self-signed certificate for localhost, as go-plugin makes one."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "terok plugin"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(seconds=30))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=True,
                                         content_commitment=False, data_encipherment=False, key_agreement=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


def serve(p):
    """Serve the provider p until terok shuts it down. p has describe,
    negotiate, key_prompt, accept_key, container_spec and capture, and may
    have injection, each taking the request message and returning the
    response message."""
    if os.environ.get(COOKIE_KEY) != COOKIE_VALUE:
        _stderr.write("This is a terok provider plugin: terok starts it.\n")
        sys.exit(1)
    offered = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", str(APP_PROTOCOL)).split(",")
    if str(APP_PROTOCOL) not in offered:
        _stderr.write("terok offers plugin protocol %s; this plugin speaks %d\n" % (",".join(offered), APP_PROTOCOL))
        sys.exit(1)

    done = threading.Event()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    methods = {
        "Describe": _unary(p.describe, pb.DescribeRequest),
        "Negotiate": _unary(p.negotiate, pb.NegotiateRequest),
        "KeyPrompt": _unary(p.key_prompt, pb.KeyPromptRequest),
        "AcceptKey": _unary(p.accept_key, pb.AcceptKeyRequest),
        "ContainerSpec": _unary(p.container_spec, pb.ContainerSpecRequest),
        "Capture": _unary(p.capture, pb.CaptureRequest),
    }
    if hasattr(p, "injection"):  # optional, like sdk.Injector in Go
        methods["Injection"] = _unary(p.injection, pb.InjectionRequest)

    def shutdown(_request, _context):
        log("debug", "terok asked the plugin to shut down")
        threading.Thread(target=lambda: (time.sleep(0.05), server.stop(0.5), done.set()), daemon=True).start()
        return b""  # google.protobuf.Empty

    def health(_request, _context):
        return _HEALTH_SERVING

    def stdio(_request, _context):
        return iter(())  # nothing to forward: this plugin never writes to stdout

    raw = lambda b: b  # noqa: E731 - messages handled as bytes
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler("terok.provider.v1.Provider", methods),
        grpc.method_handlers_generic_handler("plugin.GRPCController", {
            "Shutdown": grpc.unary_unary_rpc_method_handler(shutdown, request_deserializer=raw, response_serializer=raw)}),
        grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
            "Check": grpc.unary_unary_rpc_method_handler(health, request_deserializer=raw, response_serializer=raw)}),
        grpc.method_handlers_generic_handler("plugin.GRPCStdio", {
            "StreamStdio": grpc.unary_stream_rpc_method_handler(stdio, request_deserializer=raw, response_serializer=raw)}),
    ))

    client_cert = os.environ.get("PLUGIN_CLIENT_CERT")
    cert_field = ""
    if client_cert:
        key_pem, cert_pem, cert_der = _certificate()
        creds = grpc.ssl_server_credentials([(key_pem, cert_pem)], root_certificates=client_cert.encode(), require_client_auth=True)
        port = server.add_secure_port("127.0.0.1:0", creds)
        cert_field = base64.b64encode(cert_der).decode().rstrip("=")
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()

    sys.stdout.write("%d|%d|tcp|127.0.0.1:%d|grpc|%s\n" % (CORE_PROTOCOL, APP_PROTOCOL, port, cert_field))
    sys.stdout.flush()
    sys.stdout = sys.stderr  # from here on, stdout is terok's: a stray print must not break it

    parent = os.getppid()
    while not done.wait(0.5):
        if os.getppid() != parent:
            log("warn", "host process is gone; exiting")
            os._exit(3)
    sys.exit(0)
