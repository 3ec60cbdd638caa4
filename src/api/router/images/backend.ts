// What the images router needs: the image service's API-facing verbs (not
// rootfs preparation or gc) plus which containers use an image, which rmi
// needs to refuse (409) or force a removal.
import type { ImageService } from "../../../image/image-service.js";

export type ImagesBackend = Pick<ImageService, "resolve" | "list" | "inspect" | "history" | "tag" | "remove" | "import" | "save" | "load" | "pull" | "push" | "prune"> & {
  usedBy(imageId: string): { id: string; running: boolean }[];
};
