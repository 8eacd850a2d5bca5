/* Between the files of drivers/virtio/: the legacy (virtio 0.9.5) PCI
 * transport behind the public functions of virtio.h (virtio_legacy.c). */
#pragma once

#include <drivers/virtio/virtio.h>

int virtio_legacy_init(struct virtio_pci *vp);
int virtio_legacy_negotiate(struct virtio_pci *vp, uint64_t wanted);
int virtio_legacy_setup_queue(struct virtio_pci *vp, struct virtqueue *vq, uint16_t index,
			      uint16_t msix_entry);
void virtio_legacy_add_status(struct virtio_pci *vp, uint8_t bits);
uint32_t virtio_legacy_cfg_read32(struct virtio_pci *vp, unsigned off);
uint8_t virtio_legacy_read_isr(struct virtio_pci *vp);
