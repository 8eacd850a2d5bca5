/* Between the files of drivers/pci/; not for drivers. */
#pragma once

#include <drivers/pci/pci.h>

/* Probe every unbound device against every registered driver (driver.c);
 * pci_init() calls it once enumeration is complete. */
void pci_bind_all(void);
