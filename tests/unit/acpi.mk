# Host tests of the ACPI table parser, on synthetic and captured tables.
UNIT_TESTS += acpi
unit_acpi_SRCS := tests/unit/test_acpi.c tests/unit/test_acpi_captured.c \
	tests/unit/test_acpi_mem.c tests/unit/shim.c \
	drivers/acpi/tables.c drivers/acpi/madt.c drivers/acpi/fadt.c drivers/acpi/s5.c
unit_acpi_CFLAGS := -DUNIT_DATA_DIR='"$(CURDIR)/tests/unit/data"'
