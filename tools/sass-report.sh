#!/usr/bin/env bash
# The SASS of CUDA kernels, without a GPU: what each hot loop issues (how many FFMA beside the
# shared-memory loads, barriers and copies) and whether anything spills there.
#   tools/sass-report.sh SOURCE.cu KERNEL_REGEX [OUT.sass]
# e.g. tools/sass-report.sh src/cuda/gemm.cu 'gemm_tile_kernel.*ILi128ELi128E.*EEEffLb0ELb0E'
# Compiles SOURCE.cu to an sm_90 cubin with the flags of build/'s own objects (configure build/
# first), disassembles it, and prints for every kernel whose mangled name matches: its spill
# stores and loads (STL / LDL) and global accesses, then each basic block with 32 or more FFMA, a
# barrier, a spill or a cp.async (LDGSTS), as instruction counts. For a block of 32 or more FFMA
# it adds what feeds them: `.reuse` flags per FFMA; how many FFMAs read all three of their
# register-file operands from one of the two register banks (register number mod 2; an operand
# that the instruction before flagged `.reuse` in the same slot comes from the reuse cache and is
# left out; the model of Jia et al.'s Volta microbenchmarks, which cuBLAS's SGEMMs keep at 0);
# and how many instructions after a shared-memory load (LDS) its first use comes. About a minute
# per source on two cores.
#
# nvdisasm: $NVDISASM, else the CUDA toolkit's, else none here (this machine's toolkit has only the
# compiler). CUDA 11.8's, from Debian's non-free nvidia-cuda-toolkit package (apt-get download it
# with the non-free component listed, then dpkg-deb -x), disassembles sm_90 code fine, but reads
# the architecture from the ELF header's older encoding: for it, this script rewrites the header of
# a copy of the cubin (ABI version 7, e_flags 0x5a055a: sm_90). The instructions are untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
src=${1:?usage: tools/sass-report.sh SOURCE.cu KERNEL_REGEX [OUT.sass]}
pattern=${2:?usage: tools/sass-report.sh SOURCE.cu KERNEL_REGEX [OUT.sass]}
[ -f build/src/CMakeFiles/detnum.dir/flags.make ] || { echo "sass-report: configure build/ first" >&2; exit 1; }
nvdisasm=${NVDISASM:-}
if [ -z "$nvdisasm" ]; then
  for c in /usr/local/cuda/bin/nvdisasm "$(command -v nvdisasm || true)"; do [ -x "$c" ] && { nvdisasm=$c; break; }; done
fi
[ -n "$nvdisasm" ] || { echo "sass-report: no nvdisasm; set NVDISASM (see the comment at the top)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
flags=$(sed -n 's/^CUDA_FLAGS = //p' build/src/CMakeFiles/detnum.dir/flags.make | sed -E 's/--generate-code=[^ ]*//g; s/-Xcompiler=-fPIC//')
defines=$(sed -n 's/^CUDA_DEFINES = //p' build/src/CMakeFiles/detnum.dir/flags.make)
# shellcheck disable=SC2086
(cd build/src && /usr/local/cuda/bin/nvcc $defines --options-file CMakeFiles/detnum.dir/includes_CUDA.rsp $flags \
  -arch=sm_90 -cubin -I"$root/src" "$src" -o "$work/k.cubin")
if "$nvdisasm" --version | grep -qE 'release (9|10|11)\.'; then
  python3 - "$work/k.cubin" <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[8] = 7                                  # EI_ABIVERSION of the older cubins
struct.pack_into('<I', b, 0x30, 0x5a055a)  # e_flags: sm_90, virtual sm_90, 64-bit addresses
open(sys.argv[1], 'wb').write(b)
EOF
fi
out=${3:-$work/k.sass}
"$nvdisasm" -c "$work/k.cubin" >"$out"
python3 - "$out" "$pattern" <<'EOF'
import re, subprocess, sys
text, pattern = open(sys.argv[1]).read().split('\n'), re.compile(sys.argv[2])
kernels, name = {}, None
for line in text:
    m = re.match(r'^//-+ \.text\.(\S+) -+$', line)
    if m:
        name = m.group(1) if pattern.search(m.group(1)) else None
        if name: kernels[name] = []
    elif name:
        kernels[name].append(line)
if not kernels: sys.exit('sass-report: no kernel matches ' + sys.argv[2])
hot = ('BAR', 'LDL', 'STL', 'LDGSTS')

def feeding(block):
    """What feeds a block's FFMAs: reuse flags, bank-conflicting FFMAs, LDS load-to-use distances."""
    reuse = conflicts = 0
    cached = [None, None, None]  # per source slot: the register the instruction before flagged .reuse
    for op, args in block:
        if op != 'FFMA':
            cached = [None, None, None]
            continue
        srcs = [re.match(r'-?\|?R(\d+)(\.reuse)?', a.strip()) for a in args.split(',')[1:4]]
        reuse += sum(bool(r and r.group(2)) for r in srcs)
        banks = [int(r.group(1)) % 2 for slot, r in enumerate(srcs) if r and int(r.group(1)) != cached[slot]]
        conflicts += len(banks) == 3 and len(set(banks)) == 1
        cached = [int(r.group(1)) if r and r.group(2) else None for r in srcs]
    distances = []
    for at, (op, args) in enumerate(block):
        if not op.startswith('LDS'):
            continue
        first = int(re.match(r'R(\d+)', args).group(1))
        width = 4 if op.endswith('.128') else 2 if op.endswith('.64') else 1
        regs = re.compile(r'\bR(' + '|'.join(str(first + w) for w in range(width)) + r')\b')
        distances += [next((d for d, (_, a) in enumerate(block[at + 1:], 1) if regs.search(a)), None)]
    used = [d for d in distances if d is not None]
    ffma = sum(op == 'FFMA' for op, _ in block)
    text = f'reuse flags per FFMA {reuse / ffma:.2f}, FFMAs with 3 operands in one bank {conflicts}'
    if used:
        text += f', LDS to first use: mean {sum(used) / len(used):.0f}, min {min(used)} instructions'
    return text

for name, lines in kernels.items():
    pretty = subprocess.run(['c++filt', '_' + name if not name.startswith('_') else name],
                            capture_output=True, text=True).stdout.strip()
    blocks, label, ops = [], 'entry', []
    for line in lines:
        m = re.match(r'^(\.L_x_\d+):', line)
        if m:
            blocks.append((label, ops)); label, ops = m.group(1), []
            continue
        m = re.match(r'\s+/\*[0-9a-f]+\*/\s+(?:@!?U?P[0-9T]+\s+)?([A-Z0-9_.]+)\s*([^;]*);', line)
        if m: ops.append((m.group(1), m.group(2)))
    blocks.append((label, ops))
    every = [op for _, b in blocks for op, _ in b]
    count = lambda prefix: sum(o.startswith(prefix) for o in every)
    print(f'{pretty}\n  {len(every)} instructions: STL {count("STL")}, LDL {count("LDL")}, LDG {count("LDG.")}, '
          f'STG {count("STG")}')
    for label, b in blocks:
        names = [op for op, _ in b]
        if names.count('FFMA') >= 32 or any(o.startswith(hot) for o in names):
            counts = {}
            for o in names: counts[o] = counts.get(o, 0) + 1
            top = sorted(counts.items(), key=lambda kv: -kv[1])[:10]
            print(f'  {label}: {len(b)}: ' + ' '.join(f'{k} {v}' for k, v in top))
            if names.count('FFMA') >= 32:
                print('    ' + feeding(b))
EOF
