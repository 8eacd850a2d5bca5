#!/usr/bin/env bash
# Boot an image in QEMU with the project's standard settings. Used by
# `make run`, `make run-uefi`, `make debug` and the test harness.
#
#   scripts/qemu.sh --iso IMG [--uefi] [--smp N] [--mem SIZE] [--machine q35|pc]
#                   [--gdb] [--headless] [--serial-file F] [-- extra qemu args]
#
# Acceleration: KVM only where the host has hardware virtualization (the
# kvm_intel or kvm_amd module is loaded); a paravirtual /dev/kvm (kvm_pvm)
# runs guest kernel code far slower than TCG, so it is not used.
# ACCEL=tcg|kvm overrides.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
iso="" uefi=0 smp=1 mem=512M machine=q35 gdb=0 headless=0 serial_file="" extra=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	--iso) iso=$2; shift 2 ;;
	--uefi) uefi=1; shift ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--machine) machine=$2; shift 2 ;;
	--gdb) gdb=1; shift ;;
	--headless) headless=1; shift ;;
	--serial-file) serial_file=$2; shift 2 ;;
	--) shift; extra+=("$@"); break ;;
	*) extra+=("$1"); shift ;;
	esac
done
[[ -n "$iso" ]] || { echo "usage: $0 --iso IMG [options]" >&2; exit 2; }

accel=$("$here/accel.sh")
if [[ "$accel" == kvm ]]; then cpu=host; else cpu=max; fi

args=(-machine "$machine" -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
      -no-reboot -display none -boot d -cdrom "$iso")

if [[ $uefi -eq 1 ]]; then
	code=/usr/share/OVMF/OVMF_CODE_4M.fd
	vars_src=/usr/share/OVMF/OVMF_VARS_4M.fd
	vars=$(mktemp /tmp/ovmf-vars.XXXXXX)
	cp "$vars_src" "$vars"
	trap 'rm -f "$vars"' EXIT
	args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
	       -drive "if=pflash,format=raw,unit=1,file=$vars")
fi

if [[ -n "$serial_file" ]]; then
	args+=(-serial "file:$serial_file" -monitor none)
elif [[ $headless -eq 1 ]]; then
	args+=(-serial stdio -monitor none)
else
	# Ctrl-A X quits; Ctrl-A C switches to the QEMU monitor.
	args+=(-serial mon:stdio)
fi
[[ $gdb -eq 1 ]] && args+=(-s -S)

exec qemu-system-x86_64 "${args[@]}" "${extra[@]}"
