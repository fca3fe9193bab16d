nav-dialogue = Dialogue
dialogue-tabs-label = Parts of the dialogue
dialogue-tab-events = Events
dialogue-tab-receptions = Joint receptions
dialogue-tab-priorities = Community priorities
dialogue-tab-commitments = Commitments
