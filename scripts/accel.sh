#!/usr/bin/env bash
# Print the QEMU accelerator to use: kvm only with hardware virtualization.
if [[ -n "${ACCEL:-}" ]]; then echo "$ACCEL"; exit 0; fi
if [[ -r /dev/kvm && -w /dev/kvm ]] && { [[ -d /sys/module/kvm_intel ]] || [[ -d /sys/module/kvm_amd ]]; }; then
	echo kvm
else
	echo tcg
fi
