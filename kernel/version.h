/* Kernel identity, shared by the boot banner and uname(2) later. */
#pragma once

#define KERNEL_NAME    "goos"
#define KERNEL_RELEASE "6.1.0-goos"
#define KERNEL_BANNER  KERNEL_NAME " " KERNEL_RELEASE " (x86_64)"
