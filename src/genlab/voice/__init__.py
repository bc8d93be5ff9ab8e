"""Voice conversion as an application: a CycleGAN-VC2 run turns one speaker's recordings into the
other's (:mod:`.convert`), scored against the true target where the speech is parallel (:mod:`.scores`)."""
